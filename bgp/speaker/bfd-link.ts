// A peer's BFD session tied to its BGP session (RFC 5882): BFD going from Up to Down takes
// BGP down at once (Cease / BFD Down, RFC 9384) and holds it in Idle; BFD Up lets it start
// again. A BFD Down the peer asked for (AdminDown, §3.2) is no failure: it only releases a hold.
// A BFD session that never came Up takes nothing down, so a router without BFD configured
// costs nothing but the one-second packets BFD sends while it waits.
import type { BfdPeerOptions, BfdPeerSession } from '../bfd/manager.js';
import type { BfdSessionStatus } from '../bfd/driver.js';
import type { BfdAuthConfig } from '../bfd/auth.js';
import { BfdState, BFD_TTL } from '../bfd/constants.js';
import type { PeerDriver } from '../session/driver.js';

/** kube-vip's BFD defaults (its peer string's `true;300;300;3`). */
export const DEFAULT_BFD_INTERVAL_MS = 300;
export const DEFAULT_BFD_MULTIPLIER = 3;

/** A peer's BFD settings; present means BFD runs for the peer. */
export interface PeerBfdConfig {
  /** Desired Min TX once Up, in ms (300). */
  minTxMs?: number;
  /** Required Min RX, in ms (300). */
  minRxMs?: number;
  /** Detect Mult (3). */
  multiplier?: number;
  /** Wait for the router's first BFD packet (RFC 5880 §6.1). */
  passive?: boolean;
  /** RFC 5883 multihop; by default when the BGP session is multihop (eBGP multihop, or GTSM over more than one hop). */
  multihop?: boolean;
  /** Multihop: the lowest TTL accepted; by default 256 − the hop count the BGP settings give, else 1. */
  minTtl?: number;
  auth?: BfdAuthConfig;
}

/** What the peer's TTL settings say about the path, as far as BFD needs it. */
export interface PeerPath {
  /** eBGP multihop TTL. */
  multihop?: number;
  gtsmHops?: number;
  localAddress?: string;
  sourceInterface?: string;
}

/** The BFD session options for a peer: its settings, with defaults from its BGP path. */
export function bfdOptionsFor(bfd: PeerBfdConfig, path: PeerPath): BfdPeerOptions {
  const hops = path.multihop ?? path.gtsmHops;
  const multihop = bfd.multihop ?? (path.multihop !== undefined || (path.gtsmHops ?? 1) > 1);
  const options: BfdPeerOptions = {
    desiredMinTxMs: bfd.minTxMs ?? DEFAULT_BFD_INTERVAL_MS,
    requiredMinRxMs: bfd.minRxMs ?? DEFAULT_BFD_INTERVAL_MS,
    detectMult: bfd.multiplier ?? DEFAULT_BFD_MULTIPLIER,
    multihop,
    // Our BFD lives in the BGP process: it shares the control plane's fate (RFC 5882 §4.3).
    controlPlaneIndependent: false,
  };
  if (multihop) options.minTtl = bfd.minTtl ?? (hops !== undefined ? BFD_TTL + 1 - hops : 1);
  if (bfd.passive) options.passive = true;
  if (bfd.auth) options.auth = bfd.auth;
  if (path.localAddress) options.localAddress = path.localAddress;
  if (path.sourceInterface) options.interface = path.sourceInterface;
  return options;
}

/** Binds BFD's state changes to the BGP session. */
export function linkBfd(session: BfdPeerSession, driver: PeerDriver): void {
  session.driver.on('state', (to, from, _diagnostic, remoteAdminDown) => {
    if (to === BfdState.Up) driver.bfdUp();
    else if (to === BfdState.Down && remoteAdminDown) driver.bfdUp();
    else if (to === BfdState.Down && from === BfdState.Up) driver.bfdDown();
  });
}

/** A peer's BFD in `status()`: the session's status, its hop mode, and whether it holds BGP down. */
export interface PeerBfdStatus extends BfdSessionStatus {
  multihop: boolean;
  /** BGP waits in Idle for this session to come Up again. */
  holdingBgp: boolean;
  /** Why the session cannot run (a port taken, no FFI), when it cannot. */
  error?: string;
}

export function bfdStatus(session: BfdPeerSession, driver: PeerDriver): PeerBfdStatus {
  const s: PeerBfdStatus = { ...session.driver.status(), multihop: session.multihop, holdingBgp: driver.heldByBfd };
  if (session.transportError) s.error = `${session.transportError.code}: ${session.transportError.message}`;
  return s;
}
