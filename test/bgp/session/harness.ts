// A test bench for the session state machine: feeds events in order, records actions, and
// runs a fake clock that turns SetTimer actions into expiries when time is advanced. Actions
// are also given as short strings ('SetTimer Hold 90', 'SendNotification 2/6') so that a
// test can state the exact sequence in one line.
import { strict as assert } from 'node:assert';
import { AS_TRANS, CapabilityCode, MessageType, OptionalParameterType } from '../../../bgp/codec/constants.js';
import type { Capability, OpenMessage } from '../../../bgp/codec/messages.js';
import { sessionConfig, type SessionConfig, type SessionOptions } from '../../../bgp/session/config.js';
import { TIMER_EVENTS, type SessionEvent } from '../../../bgp/session/events.js';
import { createSession, step, type Session } from '../../../bgp/session/fsm.js';
import { SessionState, type SessionAction, type TimerName } from '../../../bgp/session/types.js';

export const LOCAL_AS = 65001;
export const PEER_AS = 65002;
export const LOCAL_ID = '192.0.2.1';
export const PEER_ID = '192.0.2.2';

export function config(options: Partial<SessionOptions> = {}): SessionConfig {
  const result = sessionConfig({ localAs: LOCAL_AS, peerAs: PEER_AS, localBgpId: LOCAL_ID, ...options });
  if (!result.ok) throw new Error(`test config refused: ${result.error.message}`);
  return result.value;
}

/** The peer's default capabilities: IPv4 and IPv6 unicast, route refresh, four-octet AS. */
export function peerCapabilities(asn = PEER_AS): Capability[] {
  return [
    { code: CapabilityCode.Multiprotocol, afi: 1, safi: 1 },
    { code: CapabilityCode.Multiprotocol, afi: 2, safi: 1 },
    { code: CapabilityCode.RouteRefresh },
    { code: CapabilityCode.FourOctetAs, asn },
  ];
}

/** A well-formed OPEN from the peer; `capabilities` replaces the whole capability list. */
export function peerOpen(fields: Partial<Omit<OpenMessage, 'type'>> & { capabilities?: Capability[] } = {}): OpenMessage {
  const { capabilities, ...rest } = fields;
  return {
    type: MessageType.Open,
    version: 4,
    myAs: PEER_AS > 0xffff ? AS_TRANS : PEER_AS,
    holdTime: 90,
    bgpId: PEER_ID,
    parameters: [{ type: OptionalParameterType.Capabilities, capabilities: capabilities ?? peerCapabilities() }],
    ...rest,
  };
}

const hex = (data: Uint8Array) => Buffer.from(data).toString('hex');

/** One action as a short string; NOTIFICATIONs show code/subcode and data in hex. */
export function summarize(action: SessionAction): string {
  switch (action.type) {
    case 'SetTimer':
      return `SetTimer ${action.timer} ${action.seconds}`;
    case 'StopTimer':
      return `StopTimer ${action.timer}`;
    case 'SendNotification': {
      const n = action.notification;
      return `SendNotification ${n.code}/${n.subcode}${n.data.length ? ` ${hex(n.data)}` : ''}`;
    }
    case 'SessionDown': {
      const sent = action.notificationSent ? ` sent ${action.notificationSent.code}/${action.notificationSent.subcode}` : '';
      const received = action.notificationReceived ? ` received ${action.notificationReceived.code}/${action.notificationReceived.subcode}` : '';
      return `SessionDown ${action.reason}${sent}${received}`;
    }
    default:
      return action.type;
  }
}

export const summarizeAll = (actions: SessionAction[]) => actions.map(summarize);

export class Harness {
  session: Session;
  now = 0;
  /** Every action so far, in order. */
  readonly log: SessionAction[] = [];
  private readonly deadlines = new Map<TimerName, number>();

  constructor(options: Partial<SessionOptions> | SessionConfig = {}) {
    this.session = createSession('open' in options ? (options as SessionConfig) : config(options as Partial<SessionOptions>));
  }

  get state(): SessionState {
    return this.session.state;
  }

  /** Applies the events in order; returns the actions of all of them, as strings. */
  send(...events: SessionEvent[]): string[] {
    return summarizeAll(this.sendRaw(...events));
  }

  sendRaw(...events: SessionEvent[]): SessionAction[] {
    const all: SessionAction[] = [];
    for (const event of events) {
      const { session, actions } = step(this.session, event);
      this.session = session;
      for (const action of actions) {
        if (action.type === 'SetTimer') this.deadlines.set(action.timer, this.now + action.seconds);
        if (action.type === 'StopTimer') this.deadlines.delete(action.timer);
      }
      this.log.push(...actions);
      all.push(...actions);
    }
    return all;
  }

  /** Moves the clock on, firing every timer that falls due, earliest first. */
  advance(seconds: number): string[] {
    const until = this.now + seconds;
    const fired: string[] = [];
    for (;;) {
      let next: [TimerName, number] | undefined;
      for (const entry of this.deadlines) if (entry[1] <= until && (!next || entry[1] < next[1])) next = entry;
      if (!next) break;
      this.now = next[1];
      this.deadlines.delete(next[0]);
      fired.push(...this.send({ type: TIMER_EVENTS[next[0]] }));
    }
    this.now = until;
    return fired;
  }

  /** Seconds until the named timer fires, or undefined when it does not run. */
  timer(name: TimerName): number | undefined {
    const at = this.deadlines.get(name);
    return at === undefined ? undefined : at - this.now;
  }

  expectState(state: SessionState): void {
    assert.equal(this.session.state, state);
  }
}

/** A harness brought to `state` through the ordinary path, with `options` for the peer config. */
export function harnessIn(state: SessionState, options: Partial<SessionOptions> = {}, open: OpenMessage = peerOpen()): Harness {
  const h = new Harness(options);
  if (state === SessionState.Idle) return h;
  if (state === SessionState.Active) {
    h.send({ type: 'ManualStart_with_PassiveTcpEstablishment' });
    return h;
  }
  h.send({ type: 'ManualStart' });
  if (state === SessionState.Connect) return h;
  h.send({ type: 'Tcp_CR_Acked' });
  if (state === SessionState.OpenSent) return h;
  h.send({ type: 'BGPOpen', open });
  if (state === SessionState.OpenConfirm) return h;
  h.send({ type: 'KeepAliveMsg' });
  return h;
}
