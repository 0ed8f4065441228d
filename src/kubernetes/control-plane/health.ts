// The control-plane VIP follows the LOCAL API server's health: on a control-plane node,
// vip-speaker claims the VIP(s) in the registry (owner `control-plane`) while its own
// kube-apiserver answers /livez, and releases them within a few seconds when it stops
// answering, so that routers send API traffic only to nodes whose API server works (every
// healthy node announces: ECMP across the control plane, no election needed in BGP mode).
//
// The thresholds work as a kubelet probe's: `failureThreshold` failures in a row make the node
// unhealthy, `successThreshold` successes in a row make it healthy again. A node that has no
// API server (a worker) never becomes healthy, so never claims the VIP.
import { EventEmitter } from 'node:events';
import { type Clock, type TimerHandle, systemClock } from '../../../bgp/index.js';
import type { Owner, VipClaim, VipRegistry } from '../../registry/index.js';
import { type ClientCertificate, type LivezTarget, type ProbeFailureReason, type ProbeResult, SERVICE_ACCOUNT_CA_FILE, probeLivez } from './probe.js';

export const CONTROL_PLANE_OWNER: Owner = 'control-plane';

export interface ControlPlaneHealthOptions {
  registry: VipRegistry;
  /** The control-plane VIP(s) to claim while healthy. */
  vips: readonly VipClaim[];
  /** Local API server address (default 127.0.0.1) and port (default 6443). */
  address?: string;
  port?: number;
  /** CA of the API server certificate (default: the service account's CA). */
  caFile?: string;
  /** The CA as PEM text (a kubeconfig's certificate-authority-data, as the static pod has it); wins over caFile. */
  ca?: string;
  /** Name the certificate must carry (default `kubernetes`, in every kubeadm API server certificate). */
  serverName?: string;
  /** Credentials for /livez where anonymous access is off (K3s): a token file, a token, or a client certificate. */
  tokenFile?: string;
  token?: string;
  clientCertificate?: ClientCertificate;
  /** Probe this URL instead of the local /livez (kube-vip's control_plane_health_check_address). */
  url?: string;
  /** caFile is the user's, for the URL: unreadable is a failure (default: the cluster CA, a help only). */
  caFileGiven?: boolean;
  /** Time between probes, from the start of one to the start of the next (default 1000 ms). */
  intervalMs?: number;
  /** Longest wait for an answer (default 1000 ms, at most intervalMs). */
  timeoutMs?: number;
  /** Failures in a row that release the VIPs (default 3). */
  failureThreshold?: number;
  /** Successes in a row that claim them (default 2). */
  successThreshold?: number;
  owner?: Owner;
  clock?: Clock;
  /** Replaces the HTTPS probe (tests of the state machine alone); must end when `signal` aborts. */
  probe?: (signal: AbortSignal) => Promise<ProbeResult>;
}

/** The probe history that decides health; `healthy` is undefined until the first verdict. */
export interface HealthState {
  healthy: boolean | undefined;
  successes: number;
  failures: number;
}

export const INITIAL_HEALTH: HealthState = { healthy: undefined, successes: 0, failures: 0 };

/** One probe result applied to the state: the next state, and whether health changed. */
export function stepHealth(state: HealthState, ok: boolean, thresholds: { failureThreshold: number; successThreshold: number }): { state: HealthState; changed: boolean } {
  if (ok) {
    const successes = state.successes + 1;
    const healthy = state.healthy === true || successes >= thresholds.successThreshold ? true : state.healthy;
    return { state: { healthy, successes, failures: 0 }, changed: healthy !== state.healthy };
  }
  const failures = state.failures + 1;
  const healthy = state.healthy === false || failures >= thresholds.failureThreshold ? false : state.healthy;
  return { state: { healthy, successes: 0, failures }, changed: healthy !== state.healthy };
}

export interface ControlPlaneHealthEvents {
  /** The API server became healthy: the VIPs are claimed. */
  healthy: [];
  /** It became unhealthy (or is found so at start-up): the VIPs are released. */
  unhealthy: [reason: ProbeFailureReason, detail: string];
  /** Every probe, for metrics. */
  probe: [ProbeResult];
}

export class ControlPlaneOptionsError extends Error {
  override name = 'ControlPlaneOptionsError';
}

export class ControlPlaneHealth extends EventEmitter<ControlPlaneHealthEvents> {
  readonly intervalMs: number;
  readonly failureThreshold: number;
  readonly successThreshold: number;
  private readonly registry: VipRegistry;
  private vips: readonly VipClaim[];
  private readonly owner: Owner;
  private readonly clock: Clock;
  private readonly probe: (signal: AbortSignal) => Promise<ProbeResult>;
  /** Ends the probe in flight on stop. */
  private abort = new AbortController();
  private health: HealthState = INITIAL_HEALTH;
  private running = false;
  private timer: TimerHandle | undefined;
  private readonly inflight = new Set<Promise<void>>();

  constructor(options: ControlPlaneHealthOptions) {
    super();
    this.intervalMs = options.intervalMs ?? 1000;
    const timeoutMs = options.timeoutMs ?? Math.min(1000, this.intervalMs);
    this.failureThreshold = options.failureThreshold ?? 3;
    this.successThreshold = options.successThreshold ?? 2;
    if (!(this.intervalMs > 0)) throw new ControlPlaneOptionsError(`intervalMs must be greater than zero (got ${this.intervalMs})`);
    if (!(timeoutMs > 0 && timeoutMs <= this.intervalMs)) throw new ControlPlaneOptionsError(`timeoutMs must be greater than zero and at most intervalMs (got ${timeoutMs})`);
    for (const [key, value] of [['failureThreshold', this.failureThreshold], ['successThreshold', this.successThreshold]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new ControlPlaneOptionsError(`${key} must be a whole number, at least 1 (got ${value})`);
    }
    this.registry = options.registry;
    this.vips = options.vips;
    this.owner = options.owner ?? CONTROL_PLANE_OWNER;
    this.clock = options.clock ?? systemClock;
    const target: LivezTarget = {
      address: options.address ?? '127.0.0.1',
      port: options.port ?? 6443,
      caFile: options.caFile ?? SERVICE_ACCOUNT_CA_FILE,
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
      serverName: options.serverName ?? 'kubernetes',
      timeoutMs,
      ...(options.tokenFile ? { tokenFile: options.tokenFile } : {}),
      ...(options.token !== undefined ? { token: options.token } : {}),
      ...(options.clientCertificate ? { clientCertificate: options.clientCertificate } : {}),
      ...(options.url !== undefined ? { url: options.url, caFileGiven: options.caFileGiven === true } : {}),
    };
    this.probe = options.probe ?? ((signal) => probeLivez(target, this.clock, signal));
  }

  /** Whether the VIPs are claimed now. */
  get healthy(): boolean {
    return this.health.healthy === true;
  }

  get state(): Readonly<HealthState> {
    return this.health;
  }

  /** Starts probing; the first probe is immediate. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.schedule(0);
  }

  /** Stops probing and releases the VIPs (this node no longer vouches for its API server). */
  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    this.abort.abort();
    await this.settled();
    this.registry.releaseOwner(this.owner);
    this.health = INITIAL_HEALTH;
  }

  /** A new set of VIPs (a reloaded config): claimed at once if healthy. */
  setVips(vips: readonly VipClaim[]): void {
    this.vips = vips;
    if (this.healthy) this.registry.replaceOwner(this.owner, vips);
  }

  /** Resolves once no probe is in flight (tests, and stop). */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all(this.inflight);
  }

  private schedule(ms: number): void {
    this.timer = this.clock.after(ms, () => {
      this.timer = undefined;
      const run: Promise<void> = this.probeOnce().finally(() => this.inflight.delete(run));
      this.inflight.add(run);
    });
  }

  private async probeOnce(): Promise<void> {
    const started = this.clock.now();
    const result = await this.probe(this.abort.signal);
    if (!this.running) return;
    this.emit('probe', result);
    const { state, changed } = stepHealth(this.health, result.ok, this);
    this.health = state;
    if (changed && state.healthy) {
      this.registry.replaceOwner(this.owner, this.vips);
      this.emit('healthy');
    } else if (changed && !result.ok) {
      this.registry.releaseOwner(this.owner);
      this.emit('unhealthy', result.reason, result.detail);
    }
    // Probes start intervalMs apart, however long one took.
    this.schedule(Math.max(0, started + this.intervalMs - this.clock.now()));
  }
}
