// Every metric the alerting rules and the dashboard read is one the daemon exports: the names come
// from a running daemon's /metrics (a BGP session to a scripted peer on loopback, VIPs on an
// interface in memory), never from a list kept by hand, and from the files operators get
// (deploy/monitoring/; deploy.test.ts proves they are the generator's output).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { pino } from 'pino';
import { parse } from 'yaml';
import { parseConfig } from '../../../src/config/index.js';
import { Daemon } from '../../../src/daemon.js';
import type { Dashboard, Panel, RuleGroup } from '../../../src/monitoring/index.js';
import { MemoryInterface } from '../../support/memory-interface.js';
import { RawPeer } from '../../support/raw-peer.js';
import { exportedNames, metricNames, variableMetricNames } from './promql.js';
import { loopbackConnector } from '../../support/loopback.js';

const MONITORING = new URL('../../../../deploy/monitoring/', import.meta.url);

function scrape(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/metrics', timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`/metrics answered ${res.statusCode}`))));
    }).on('error', reject);
  });
}

/** Where each name is read: "rule VipSpeakerBgpSessionDown", "panel Session flaps"... */
function usedNames(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  const add = (where: string, expr: string) => {
    for (const name of metricNames(expr)) used.set(name, [...(used.get(name) ?? []), where]);
  };
  const rules = parse(readFileSync(new URL('vip-speaker.rules.yaml', MONITORING), 'utf8')) as { groups: RuleGroup[] };
  for (const group of rules.groups) for (const rule of group.rules) add(`rule ${rule.alert}`, rule.expr);
  const dashboard = JSON.parse(readFileSync(new URL('vip-speaker-dashboard.json', MONITORING), 'utf8')) as Dashboard;
  const panels = (list: Panel[]): Panel[] => list.flatMap((p) => [p, ...panels(p.panels ?? [])]);
  for (const panel of panels(dashboard.panels)) for (const target of panel.targets ?? []) add(`panel ${panel.title}`, target.expr);
  for (const variable of dashboard.templating.list) {
    if (variable.type !== 'query') continue;
    for (const name of variableMetricNames(variable.definition as string)) used.set(name, [...(used.get(name) ?? []), `variable ${variable.name as string}`]);
  }
  return used;
}

function missing(used: ReadonlyMap<string, string[]>, exported: ReadonlySet<string>): string[] {
  return [...used].filter(([name]) => !exported.has(name)).map(([name, where]) => `${name} (${where.join(', ')})`);
}

describe('monitoring: the metric names the rules and the dashboard read', function () {
  this.timeout(30_000);
  let peer: RawPeer;
  let daemon: Daemon;
  let exposition = '';

  before(async () => {
    peer = new RawPeer({ asn: 65000, bgpId: '192.0.2.1' });
    const port = await peer.listen();
    const cfg = parseConfig(['asn: 65100', 'routerId: 192.0.2.2', 'peers:', `  - { address: 192.0.2.1, asn: 65000, port: ${port} }`, 'vips: [203.0.113.10, 2001:db8:f::10]', 'admin: { address: 127.0.0.1, port: 9469 }'].join('\n'), {
      env: {},
      readFile: () => '',
      listInterfaces: () => ({}),
    });
    assert.ok(cfg.ok, cfg.ok ? '' : JSON.stringify(cfg.error));
    cfg.value.admin.port = 0;
    daemon = new Daemon(cfg.value, {
      log: pino({ level: 'silent' }),
      addresses: new MemoryInterface(),
      // The peer's address is reached on loopback (the transport is replaced, as in daemon.test.ts).
      speakerOptions: {
        connector: loopbackConnector(port),
      },
    });
    await daemon.start();
    await peer.whenEstablished();
    exposition = await scrape(daemon.adminPort!);
  });

  after(async () => {
    await daemon?.stop();
    await peer?.close();
  });

  it('reads the families from a running daemon, with samples where the daemon has state', () => {
    const exported = exportedNames(exposition);
    assert.ok(exported.size > 40, `only ${exported.size} names exported`);
    assert.ok(exported.has('vip_speaker_reconcile_duration_seconds_bucket'), 'a histogram is read as its series');
    assert.match(exposition, /^vip_speaker_vips_owned\{owner="static"\} 2$/m);
    assert.match(exposition, /^vip_speaker_vips_wanted_not_announced 0$/m);
  });

  it('every name a rule, a panel or a dashboard variable reads is exported by the daemon', () => {
    const used = usedNames();
    assert.ok(used.size > 20, `only ${used.size} names found in the rules and the dashboard`);
    assert.deepEqual(missing(used, exportedNames(exposition)), []);
  });

  it('each of the daemon\'s own metrics is in the reference of docs/observability.md', () => {
    const docs = readFileSync(new URL('../../../../docs/observability.md', import.meta.url), 'utf8');
    const families = [...exposition.matchAll(/^# TYPE (vip_speaker_\w+) /gm)].map((m) => m[1]!);
    // prom-client's process and Node.js metrics are listed as vip_speaker_process_* and vip_speaker_nodejs_*.
    const own = families.filter((name) => !/^vip_speaker_(process|nodejs)_/.test(name));
    assert.ok(own.length > 25, `only ${own.length} families`);
    assert.deepEqual(own.filter((name) => !docs.includes(`\`${name}\``)), []);
  });

  it('catches a misspelt name', () => {
    const used = new Map([[metricNames('vip_speaker_bgp_sesion_up == 0')[0]!, ['rule Misspelt']]]);
    assert.deepEqual(missing(used, exportedNames(exposition)), ['vip_speaker_bgp_sesion_up (rule Misspelt)']);
  });
});

describe('monitoring: reading metric names out of PromQL', () => {
  it('finds every selector, in binary operations, aggregations, functions and __name__ matchers', () => {
    assert.deepEqual(metricNames('max by (vip) (a_held and ignoring (mode, leader) b_info{mode="arp"}) == 0 or {__name__="c_total"} unless rate(d_total[$__rate_interval] offset 10m)'), ['a_held', 'b_info', 'c_total', 'd_total']);
  });

  it('does not take label names, function names or keywords for metrics', () => {
    assert.deepEqual(metricNames('histogram_quantile(0.99, sum by (le, instance) (rate(x_bucket{job=~"$job"}[5m])))'), ['x_bucket']);
  });

  it('refuses what is not PromQL', () => {
    assert.throws(() => metricNames('sum by (instance (x)'), /not PromQL/);
  });

  it('reads the selector of a Grafana label_values() variable', () => {
    assert.deepEqual(variableMetricNames('label_values(vip_speaker_info{job=~"$job"}, instance)'), ['vip_speaker_info']);
  });

  it('lists every family of an exposition, the ones without a sample too', () => {
    const text = ['# HELP a_total x', '# TYPE a_total counter', '# HELP b x', '# TYPE b gauge', 'b 1', '# HELP c x', '# TYPE c histogram', 'c_bucket{le="+Inf"} 0'].join('\n');
    assert.deepEqual([...exportedNames(text)].sort(), ['a_total', 'b', 'c_bucket', 'c_count', 'c_sum']);
  });
});
