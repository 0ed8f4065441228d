// How VIPs reach the network, one mode per way: BGP (every node announces a route for each VIP)
// or ARP (one elected node holds each VIP on a flat segment). Both implement the VipMode port
// (port.ts); this is the one place that picks one, from the configuration.
import type { DaemonConfig } from '../config/index.js';
import { createArpMode } from './arp/create.js';
import { BgpMode } from './bgp/mode.js';
import type { ModeDeps, VipMode } from './port.js';

const MODES: Record<DaemonConfig['mode'], (config: DaemonConfig, deps: ModeDeps) => VipMode> = {
  bgp: (config, deps) => new BgpMode(config, deps),
  arp: createArpMode,
};

export function createMode(config: DaemonConfig, deps: ModeDeps): VipMode {
  return MODES[config.mode](config, deps);
}

/** How the mode wants a VIP on the interface: a host route's length (BGP), or the segment's (ARP). */
const PLACEMENT: Record<DaemonConfig['mode'], (config: DaemonConfig) => { prefixLength?: DaemonConfig['arp']['prefixLength'] }> = {
  bgp: () => ({}),
  arp: (config) => ({ prefixLength: config.arp.prefixLength }),
};

export function placementOf(config: DaemonConfig): { prefixLength?: DaemonConfig['arp']['prefixLength'] } {
  return PLACEMENT[config.mode](config);
}

export type { ModeCounters, ModeDeps, ModeStopOptions, VipMode } from './port.js';
export { peerConfigOf } from './bgp/speaker.js';
