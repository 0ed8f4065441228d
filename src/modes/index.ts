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

export interface Placement {
  /** Addresses, local routes, or the choice per VIP (src/vip/placer.ts): ARP mode answers ARP for addresses only. */
  placement: DaemonConfig['vips']['placement'];
  /** The length a VIP gets on the interface: absent, a host route's (BGP); the segment's (ARP). */
  prefixLength?: DaemonConfig['arp']['prefixLength'];
  /** Service VIPs may go on other interfaces than vips.interface. */
  servicesElsewhere: boolean;
}

/** How the mode wants VIPs on the interfaces. */
const PLACEMENT: Record<DaemonConfig['mode'], (config: DaemonConfig) => Placement> = {
  // BGP mode binds every VIP to lo, unless bgp_attach_ip_to_interface names another for Services.
  bgp: (config) => ({ placement: config.vips.placement, servicesElsewhere: config.kubernetes.services === true && config.kubernetes.servicesInterface !== undefined }),
  // ARP mode: a Service's VIP may carry an interface of its own (kube-vip.io/serviceInterface).
  arp: (config) => ({ placement: 'addresses', prefixLength: config.arp.prefixLength, servicesElsewhere: config.kubernetes.services === true }),
};

export function placementOf(config: DaemonConfig): Placement {
  return PLACEMENT[config.mode](config);
}

export type { ModeCounters, ModeDeps, ModeStopOptions, VipMode } from './port.js';
export { peerConfigOf } from './bgp/speaker.js';
