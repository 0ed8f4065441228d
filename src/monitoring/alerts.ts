// The Prometheus alerting rules for vip-speaker, as data: `vip-speaker manifest prometheusrule`
// wraps them in a PrometheusRule, `vip-speaker manifest rules` prints them as a rule file
// (deploy/monitoring/vip-speaker.rules.yaml). Every metric they read is one the daemon exports
// (test/src/monitoring/metric-names.test.ts reads a running daemon's /metrics), every alert has a
// firing and a quiet case under `promtool test rules` (deploy/monitoring/*.rules.test.yaml), and a
// runbook paragraph in docs/observability.md under its own name.
//
// Thresholds are named below; an operator who changes one changes the promtool tests with it.

export type Severity = 'warning' | 'critical';

export interface AlertRule {
  alert: string;
  expr: string;
  /** How long the expression must hold before the alert fires; none: at once. */
  for?: string;
  labels: { severity: Severity };
  annotations: { summary: string; description: string; runbook: string };
}

export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

/** A session not Established for this long is down, not restarting. */
export const SESSION_DOWN_FOR = '5m';
/** Every session of a node down: its VIPs are unreachable through it. */
export const ALL_SESSIONS_DOWN_FOR = '2m';
/** A peer is flapping when its session left Established this often within FLAP_WINDOW. */
export const FLAPS = 3;
export const FLAP_WINDOW = '30m';
/** Wanted and announced VIPs may differ for one reconcile; for this long, something is stuck. */
export const VIP_MISMATCH_FOR = '5m';
/** The daemon keeps the last known state through an API outage; this long, it is stale. */
export const KUBERNETES_API_DOWN_FOR = '2m';
/** Reconcile and ARP failures count in a window this long. */
export const FAILURE_WINDOW = '10m';
/** A takeover takes seconds; a VIP without a holder (or with two) for this long is an outage. */
export const ARP_HOLDER_FOR = '1m';
/** BFD comes back within seconds of a path's repair; down this long, the path or the peer's BFD is broken. */
export const BFD_DOWN_FOR = '1m';

/** A Prometheus duration of whole minutes, in words for the annotations: '5m' -> '5 minutes'. */
export function inWords(duration: string): string {
  const m = /^(\d+)m$/.exec(duration);
  if (!m) throw new TypeError(`expected a duration in whole minutes, got ${JSON.stringify(duration)}`);
  return m[1] === '1' ? '1 minute' : `${m[1]} minutes`;
}

/** The docs section of an alert: GitHub's anchor for its `###` heading. */
export function runbookOf(alert: string): string {
  return `docs/observability.md#${alert.toLowerCase()}`;
}

function rule(alert: string, severity: Severity, expr: string, pending: string | undefined, summary: string, description: string): AlertRule {
  return { alert, expr, ...(pending === undefined ? {} : { for: pending }), labels: { severity }, annotations: { summary, description, runbook: runbookOf(alert) } };
}

/**
 * ARP-mode VIPs only: vip_speaker_vip_held is exported in both modes, vip_speaker_vip_info says
 * which mode a VIP is in. Every node exports both for every wanted VIP.
 */
const ARP_HELD = 'vip_speaker_vip_held and ignoring (mode, leader) vip_speaker_vip_info{mode="arp"}';

const bgp: RuleGroup = {
  name: 'vip-speaker-bgp',
  rules: [
    rule(
      'VipSpeakerBgpSessionDown',
      'warning',
      'vip_speaker_bgp_session_up == 0',
      SESSION_DOWN_FOR,
      'BGP session from {{ $labels.instance }} to {{ $labels.peer }} down',
      `The session with peer {{ $labels.peer }} has not been Established for ${inWords(SESSION_DOWN_FOR)}: that router does not send traffic for this node's VIPs. vip_speaker_bgp_session_down_total says why it last fell, /status shows its last error.`,
    ),
    rule(
      'VipSpeakerBgpAllSessionsDown',
      'critical',
      'max without (peer) (vip_speaker_bgp_session_up) == 0',
      ALL_SESSIONS_DOWN_FOR,
      'No BGP session up on {{ $labels.instance }}',
      `No session of this node has been Established for ${inWords(ALL_SESSIONS_DOWN_FOR)}: no router reaches its VIPs through it.`,
    ),
    rule(
      'VipSpeakerBgpPeerFlapping',
      'warning',
      `increase(vip_speaker_bgp_session_flaps_total[${FLAP_WINDOW}]) >= ${FLAPS}`,
      undefined,
      'BGP session from {{ $labels.instance }} to {{ $labels.peer }} flapping',
      `The session with peer {{ $labels.peer }} left Established {{ $value | humanize }} times in the last ${inWords(FLAP_WINDOW)}: each time the router withdraws this node's routes and traffic moves.`,
    ),
  ],
};

const vips: RuleGroup = {
  name: 'vip-speaker-vips',
  rules: [
    rule(
      'VipSpeakerVipNotAnnounced',
      'warning',
      'vip_speaker_vips_wanted_not_announced > 0',
      VIP_MISMATCH_FOR,
      '{{ $value }} wanted VIP(s) not announced by {{ $labels.instance }}',
      `For ${inWords(VIP_MISMATCH_FOR)}, {{ $value }} VIP(s) this node should serve were not announced (BGP: not handed to the peers; ARP: elected here but not on the interface). /status lists each VIP with inPlace and announced.`,
    ),
    rule(
      'VipSpeakerVipAnnouncedNotWanted',
      'warning',
      'vip_speaker_vips_announced_not_wanted > 0',
      VIP_MISMATCH_FOR,
      '{{ $value }} VIP(s) announced by {{ $labels.instance }} that nobody wants',
      `For ${inWords(VIP_MISMATCH_FOR)}, {{ $value }} VIP(s) stayed announced (BGP) or on the interface (ARP) although no owner wants them here: traffic for them still comes to this node.`,
    ),
    rule(
      'VipSpeakerReconcileFailures',
      'warning',
      `increase(vip_speaker_reconcile_failures_total[${FAILURE_WINDOW}]) > 0`,
      undefined,
      'VIP addresses failing on {{ $labels.instance }}',
      `{{ $value | humanize }} VIP address(es) could not be added to or removed from the interface in the last ${inWords(FAILURE_WINDOW)}; a VIP whose address is missing is not announced. The log line "VIP could not be placed" carries the error.`,
    ),
  ],
};

const kubernetes: RuleGroup = {
  name: 'vip-speaker-kubernetes',
  rules: [
    rule(
      'VipSpeakerKubernetesApiUnreachable',
      'warning',
      'vip_speaker_kubernetes_api_connected == 0',
      KUBERNETES_API_DOWN_FOR,
      '{{ $labels.instance }} cannot reach the Kubernetes API',
      `A watch of this node has been disconnected from the API server for ${inWords(KUBERNETES_API_DOWN_FOR)}. It keeps announcing the last known VIPs, so Services created, changed or deleted meanwhile are not followed; /readyz names the watch and its error.`,
    ),
  ],
};

const arp: RuleGroup = {
  name: 'vip-speaker-arp',
  rules: [
    rule(
      'VipSpeakerArpVipWithoutHolder',
      'critical',
      `max by (vip) (${ARP_HELD}) == 0`,
      ARP_HOLDER_FOR,
      'ARP VIP {{ $labels.vip }} held by no node',
      `For ${inWords(ARP_HOLDER_FOR)}, no node has had {{ $labels.vip }} on its interface: nothing answers ARP / NA for it and the VIP is unreachable.`,
    ),
    rule(
      'VipSpeakerArpVipHeldTwice',
      'critical',
      `sum by (vip) (${ARP_HELD}) > 1`,
      ARP_HOLDER_FOR,
      'ARP VIP {{ $labels.vip }} held by {{ $value }} nodes',
      `For ${inWords(ARP_HOLDER_FOR)}, {{ $value }} nodes have had {{ $labels.vip }} on their interface: they answer ARP / NA for it in turn and clients' connections break.`,
    ),
    rule(
      'VipSpeakerArpAnnouncementsFailing',
      'warning',
      // The counter appears with its first failure: a series new within the window counts too.
      `increase(vip_speaker_arp_failures_total[${FAILURE_WINDOW}]) > 0 or (vip_speaker_arp_failures_total unless vip_speaker_arp_failures_total offset ${FAILURE_WINDOW})`,
      undefined,
      'Gratuitous ARP / NA failing on {{ $labels.instance }} ({{ $labels.code }})',
      `Takeover bursts or refreshes could not be sent in the last ${inWords(FAILURE_WINDOW)} ({{ $labels.code }}): after a takeover, clients and switches may keep sending the VIPs' traffic to the old holder's MAC address.`,
    ),
  ],
};

// Its own group: the BFD metrics (vip_speaker_bfd_*) come with BFD support.
const bfd: RuleGroup = {
  name: 'vip-speaker-bfd',
  rules: [
    rule(
      'VipSpeakerBfdSessionDown',
      'warning',
      'vip_speaker_bfd_session_up == 0',
      BFD_DOWN_FOR,
      'BFD session from {{ $labels.instance }} to {{ $labels.peer }} down',
      `The BFD session with peer {{ $labels.peer }} has been down for ${inWords(BFD_DOWN_FOR)}: a failure of the path to that router is noticed only by the BGP hold timer now. vip_speaker_bfd_transitions_total says why it went down (its diagnostic).`,
    ),
  ],
};

/** The groups, in the order they are printed. */
export const RULE_GROUPS: readonly RuleGroup[] = [bgp, vips, kubernetes, arp, bfd];

/** Every alert's name, in order. */
export function alertNames(groups: readonly RuleGroup[] = RULE_GROUPS): string[] {
  return groups.flatMap((g) => g.rules.map((r) => r.alert));
}
