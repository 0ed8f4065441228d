// The Grafana dashboard for vip-speaker (`vip-speaker manifest dashboard`, kept as
// deploy/monitoring/vip-speaker-dashboard.json). Each panel's description is the question it
// answers; docs/observability.md lists the same titles and questions (a test keeps them equal),
// and every metric a query reads is one the daemon exports (a test reads a running daemon's
// /metrics). Filters: the Prometheus data source, the job, the nodes (instance).
import { type Panel, type PanelSpec, SCHEMA_VERSION, DATASOURCE, layout, rightAxis, row, stat, stateTimeline, table, timeSeries } from './grafana.js';

export const DASHBOARD_UID = 'vip-speaker';

/** A selector of one metric on the chosen jobs and nodes, with more matchers if given. */
function sel(metric: string, ...matchers: string[]): string {
  return `${metric}{${['job=~"$job"', 'instance=~"$instance"', ...matchers].join(', ')}}`;
}

/** Across every node of the chosen jobs: what the cluster as a whole shows (ARP holders). */
function cluster(metric: string, ...matchers: string[]): string {
  return `${metric}{${['job=~"$job"', ...matchers].join(', ')}}`;
}

/** RFC 4271's states, as vip_speaker_bgp_session_state numbers them. */
const SESSION_STATES = {
  1: { text: 'Idle', color: 'red' },
  2: { text: 'Connect', color: 'orange' },
  3: { text: 'Active', color: 'orange' },
  4: { text: 'OpenSent', color: 'yellow' },
  5: { text: 'OpenConfirm', color: 'yellow' },
  6: { text: 'Established', color: 'green' },
};

const CONNECTED = { 0: { text: 'disconnected', color: 'red' }, 1: { text: 'connected', color: 'green' } };

const PER_PEER = '{{instance}} → {{peer}}';

function panels(): PanelSpec[] {
  return [
    row('BGP sessions'),
    stat('Sessions established', 'How many of the configured BGP sessions are Established right now?', [
      { expr: `sum(${sel('vip_speaker_bgp_session_up')})`, legend: 'Established' },
      { expr: `count(${sel('vip_speaker_bgp_session_up')})`, legend: 'configured' },
    ]),
    stat('Nodes without a session', 'Is any node cut off from every router, so that no traffic for its VIPs reaches it?', [
      { expr: `count(max without (peer) (${sel('vip_speaker_bgp_session_up')}) == 0) or vector(0)`, legend: 'nodes' },
    ]),
    timeSeries('Prefixes sent per peer', 'Does every router hold every route this node announces?', [
      { expr: sel('vip_speaker_bgp_prefixes_sent'), legend: PER_PEER },
      { expr: sel('vip_speaker_vips_announced'), legend: '{{instance}} announced' },
    ]),
    stateTimeline('Session state per peer', 'Which state has each session been in, and when did it leave Established?', [{ expr: sel('vip_speaker_bgp_session_state'), legend: PER_PEER }], SESSION_STATES),
    timeSeries('Session flaps', 'Which sessions flap, and when?', [{ expr: `increase(${sel('vip_speaker_bgp_session_flaps_total')}[$__rate_interval])`, legend: PER_PEER }], { bars: true }),
    timeSeries('Session downs by reason', 'Why do sessions go down: hold timer expired, a NOTIFICATION from the router, a reset connection?', [
      { expr: `sum by (reason) (increase(${sel('vip_speaker_bgp_session_down_total')}[$__rate_interval]))`, legend: '{{reason}}' },
      { expr: `sum by (code) (increase(${sel('vip_speaker_bgp_connect_errors_total')}[$__rate_interval]))`, legend: 'connect: {{code}}' },
    ], { bars: true }),
    timeSeries('Updates waiting for a peer', 'Is a router slow to take this node\'s updates (changes not yet sent, bytes queued)?', [
      { expr: sel('vip_speaker_bgp_pending_changes'), legend: `${PER_PEER} changes` },
      { expr: sel('vip_speaker_bgp_send_queue_bytes'), legend: `${PER_PEER} queued` },
    ], { overrides: [rightAxis('B', 'bytes')] }),
    row('VIPs'),
    timeSeries('VIPs wanted, in place and announced', 'Does every node have every wanted VIP on its interface and announced?', [
      { expr: sel('vip_speaker_vips_desired'), legend: '{{instance}} wanted' },
      { expr: sel('vip_speaker_vips_in_place'), legend: '{{instance}} in place' },
      { expr: sel('vip_speaker_vips_announced'), legend: '{{instance}} announced' },
    ]),
    timeSeries('VIPs per owner', 'Where do the VIPs come from: the configuration, the control plane, Services?', [
      { expr: `max by (owner) (${sel('vip_speaker_vips_owned')})`, legend: '{{owner}}' },
    ]),
    timeSeries('VIPs out of step', 'Is any VIP wanted but not announced, or announced though nobody wants it any more?', [
      { expr: sel('vip_speaker_vips_wanted_not_announced'), legend: '{{instance}} wanted, not announced' },
      { expr: sel('vip_speaker_vips_announced_not_wanted'), legend: '{{instance}} announced, not wanted' },
    ]),
    timeSeries('Reconcile latency', 'How long does a change take to reach the interface and the peers?', [
      { expr: `histogram_quantile(0.5, sum by (le) (rate(${sel('vip_speaker_reconcile_duration_seconds_bucket')}[$__rate_interval])))`, legend: 'median' },
      { expr: `histogram_quantile(0.99, sum by (le) (rate(${sel('vip_speaker_reconcile_duration_seconds_bucket')}[$__rate_interval])))`, legend: '99th percentile' },
      { expr: `sum(rate(${sel('vip_speaker_reconcile_duration_seconds_count')}[$__rate_interval]))`, legend: 'reconciles per second' },
    ], { unit: 's', overrides: [rightAxis('C', 'ops')] }),
    timeSeries('Reconcile failures', 'Did any VIP address fail to be added to or removed from an interface?', [
      { expr: `increase(${sel('vip_speaker_reconcile_failures_total')}[$__rate_interval])`, legend: '{{instance}}' },
    ], { bars: true }),
    row('ARP mode'),
    table('VIP holders', 'Which node holds each ARP VIP now, and since when?', [
      { expr: `max by (vip, leader) (${cluster('vip_speaker_vip_info', 'mode="arp"')})` },
      { expr: `max by (vip) (${cluster('vip_speaker_vip_last_takeover_timestamp_seconds')}) * 1000` },
      { expr: `sum by (vip) (${cluster('vip_speaker_vip_held')} and ignoring (mode, leader) ${cluster('vip_speaker_vip_info', 'mode="arp"')})` },
    ], {
      hide: ['Value #A'],
      rename: { vip: 'VIP', leader: 'holder (its lease)', 'Value #B': 'since', 'Value #C': 'nodes holding it' },
      overrides: [{ matcher: { id: 'byName', options: 'Value #B' }, properties: [{ id: 'unit', value: 'dateTimeAsIso' }] }],
    }),
    timeSeries('Takeovers and holder changes', 'How often do VIPs move between nodes, and which node took them over?', [
      { expr: `sum by (instance, group) (increase(${sel('vip_speaker_arp_takeovers_total')}[$__rate_interval]))`, legend: '{{instance}} took {{group}}' },
      { expr: `max by (group) (increase(${sel('vip_speaker_arp_leader_changes_total')}[$__rate_interval]))`, legend: '{{group}} changed holder' },
    ], { bars: true }),
    timeSeries('Gratuitous ARP bursts and failures', 'Do takeover announcements reach the segment, or fail (no CAP_NET_RAW, interface down)?', [
      { expr: `increase(${sel('vip_speaker_arp_bursts_total')}[$__rate_interval])`, legend: '{{instance}} bursts' },
      { expr: `sum by (instance, code) (increase(${sel('vip_speaker_arp_failures_total')}[$__rate_interval]))`, legend: '{{instance}} failed: {{code}}' },
    ], { bars: true }),
    row('Process and Kubernetes'),
    stateTimeline('Kubernetes API connection', 'Has any node lost its watch on the Kubernetes API (it keeps the last known VIPs meanwhile)?', [{ expr: sel('vip_speaker_kubernetes_api_connected'), legend: '{{instance}}' }], CONNECTED, 12),
    table('Versions and modes', 'Which version and mode runs on each node?', [{ expr: sel('vip_speaker_info') }], { hide: ['Value', '__name__'] }),
    timeSeries('Event-loop delay', 'Is the process too busy to send KEEPALIVEs and renew leases on time?', [
      { expr: sel('vip_speaker_nodejs_eventloop_lag_p99_seconds'), legend: '{{instance}} p99' },
    ], { unit: 's', width: 8 }),
    timeSeries('Resident memory', 'Does the speaker stay well within its memory limit?', [{ expr: sel('vip_speaker_process_resident_memory_bytes'), legend: '{{instance}}' }], { unit: 'bytes', width: 8 }),
    timeSeries('CPU', 'How much CPU does the speaker use?', [{ expr: `rate(${sel('vip_speaker_process_cpu_seconds_total')}[$__rate_interval])`, legend: '{{instance}}' }], { unit: 'percentunit', width: 8 }),
  ];
}

/** A variable listing a label's values on vip_speaker_info; every choice by default. */
function labelVariable(name: string, label: string, query: string) {
  return {
    name,
    label,
    type: 'query',
    datasource: DATASOURCE,
    query: { query, refId: `${name}-values` },
    definition: query,
    refresh: 2,
    includeAll: true,
    multi: true,
    allValue: '.+',
    current: { selected: true, text: ['All'], value: ['$__all'] },
    options: [],
    sort: 1,
    hide: 0,
  };
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Array<Record<string, unknown>> };
  [key: string]: unknown;
}

export function buildDashboard(version: string): Dashboard {
  return {
    uid: DASHBOARD_UID,
    title: 'vip-speaker',
    description: `BGP sessions, VIPs, ARP holders and the process of vip-speaker ${version}; each panel's description is the question it answers.`,
    tags: ['vip-speaker', 'bgp', 'arp'],
    editable: true,
    graphTooltip: 1,
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    timezone: 'browser',
    links: [],
    annotations: { list: [] },
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, options: [], refresh: 1, regex: '', hide: 0 },
        labelVariable('job', 'Job', 'label_values(vip_speaker_info, job)'),
        labelVariable('instance', 'Node', 'label_values(vip_speaker_info{job=~"$job"}, instance)'),
      ],
    },
    panels: layout(panels()),
  };
}
