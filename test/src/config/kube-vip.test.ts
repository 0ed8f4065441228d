// Nothing of kube-vip's is silently ignored: every name kube-vip reads (the fixture, taken from its
// source) has a decision in vip-speaker's tables, and what the tables decide is what start-up and
// `validate` say and what the configuration refuses.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  KUBE_VIP_NODE_ANNOTATION_RULES, KUBE_VIP_SERVICE_ANNOTATION_RULES, KUBE_VIP_VARIABLE_NAMES, KUBE_VIP_VARIABLE_RULES, KUBE_VIP_VARIABLES, NODE_LABEL_RULES, RETIRED_KUBE_VIP_VARIABLES,
  TOP_LEVEL_KEYS, accountKubeVipVariables, configFromEnv, describeKubeVipAccount, formatErrors, kubeVipWarning, resolveConfig, serviceAnnotationDecision,
  type KubeVipDecision, type Mode,
} from '../../../src/config/index.js';
import { fakeHost } from './helpers.js';

interface KubeVipNames {
  source: string;
  variables: string[];
  serviceAnnotations: string[];
  nodeAnnotations: string[];
  nodeLabels: string[];
}

// The fixture lives in the source tree (test/fixtures), beside the compiled tests' dist/ folder.
const NAMES = JSON.parse(readFileSync(join(process.cwd(), 'test/fixtures/kube-vip/names.json'), 'utf8')) as KubeVipNames;
const MODES: Mode[] = ['bgp', 'arp'];
/** Values that make each kind of rule show its hand: a switch on and off, a number, a name. */
const PROBE_VALUES = ['true', 'false', '3000', '100', 'eth1', 'auto'];
const BASE_ENV = { bgp_enable: 'true', bgp_as: '65010', bgp_routerid: '198.51.100.7', bgp_peers: '192.0.2.1:65001::false', cp_enable: 'true', svc_enable: 'true', address: '192.0.2.10' };

function decisionsOf(name: string): KubeVipDecision[] {
  const out: KubeVipDecision[] = [];
  for (const mode of MODES) {
    for (const value of PROBE_VALUES) {
      const account = accountKubeVipVariables({ ...BASE_ENV, [name]: value }, mode).find((a) => a.name === name);
      assert.ok(account, `${name}=${value} is set, so it is accounted for`);
      out.push(account);
    }
  }
  return out;
}

describe('kube-vip names: every one has a decision', () => {
  it('the fixture names the kube-vip version it was taken from', () => {
    assert.match(NAMES.source, /kube-vip\/kube-vip v\d+\.\d+\.\d+.*commit [0-9a-f]{40}/);
    assert.ok(NAMES.variables.length >= 95, `${NAMES.variables.length} variables`);
  });

  it('every environment variable kube-vip reads has a rule, and the table has no name kube-vip lacks', () => {
    const missing = NAMES.variables.filter((n) => !Object.hasOwn(KUBE_VIP_VARIABLE_RULES, n));
    assert.deepEqual(missing, [], 'kube-vip variables without a decision');
    const extra = KUBE_VIP_VARIABLE_NAMES.filter((n) => !NAMES.variables.includes(n) && !RETIRED_KUBE_VIP_VARIABLES.includes(n));
    assert.deepEqual(extra, [], 'decisions for names kube-vip does not read');
  });

  it('every kube-vip.io Service annotation has a rule, and only those', () => {
    assert.deepEqual(NAMES.serviceAnnotations.filter((n) => !Object.hasOwn(KUBE_VIP_SERVICE_ANNOTATION_RULES, n)), []);
    assert.deepEqual(Object.keys(KUBE_VIP_SERVICE_ANNOTATION_RULES).filter((n) => !NAMES.serviceAnnotations.includes(n)), []);
  });

  it('every per-node BGP annotation and node label has a rule', () => {
    assert.deepEqual([...NAMES.nodeAnnotations].sort(), Object.keys(KUBE_VIP_NODE_ANNOTATION_RULES).sort());
    assert.deepEqual(NAMES.nodeLabels.filter((n) => !Object.hasOwn(NODE_LABEL_RULES, n)), []);
  });

  it('every decision says what or why: a used one with a key or a remark, the others with a sentence', () => {
    for (const name of KUBE_VIP_VARIABLE_NAMES) {
      for (const d of decisionsOf(name)) {
        if (d.use === 'used') assert.ok(d.key !== undefined || (d.text ?? '').length > 10, `${name}: used, but for what?`);
        else assert.ok((d.text ?? '').length > 20, `${name}: ${d.use} needs a reason, got ${JSON.stringify(d.text)}`);
      }
    }
  });

  it('a used variable names a key of the config file', () => {
    for (const name of KUBE_VIP_VARIABLE_NAMES) {
      for (const d of decisionsOf(name)) {
        if (d.key === undefined) continue;
        const top = d.key.split(/[.[:]/)[0]!;
        assert.ok((TOP_LEVEL_KEYS as readonly string[]).includes(top), `${name} → ${d.key}: ${top} is no top-level key`);
      }
    }
  });

  it('no variable that env.ts reads is decided as unused or refused in both modes for an ordinary value', () => {
    const ordinary: Record<string, string> = { vip_arp: 'false', vip_arpRate: '3000', vip_leaderelection: 'false', vip_subnet: '32', vip_cidr: '32', vip_address: '192.0.2.10', bgp_routerinterface: 'eth0' };
    for (const name of KUBE_VIP_VARIABLES) {
      const uses = MODES.map((mode) => accountKubeVipVariables({ cp_enable: 'true', svc_enable: 'true', [name]: ordinary[name] ?? '1' }, mode).find((a) => a.name === name)?.use);
      assert.ok(uses.some((u) => u === 'used' || u === 'differs'), `${name}: ${uses.join(', ')}`);
    }
  });
});

describe('kube-vip names: documented', () => {
  const docs = readFileSync(join(process.cwd(), 'docs/configuration.md'), 'utf8');
  const section = docs.slice(docs.indexOf('## kube-vip environment variables'));

  it('docs/configuration.md names every variable and every Service annotation, and the kube-vip version read', () => {
    assert.deepEqual(KUBE_VIP_VARIABLE_NAMES.filter((n) => !section.includes(`\`${n}\``)), []);
    assert.deepEqual(Object.keys(KUBE_VIP_SERVICE_ANNOTATION_RULES).filter((n) => !section.includes(`\`${n}\``) && !section.includes(`\`${n.slice('kube-vip.io/'.length)}\``)), []);
    assert.ok(section.includes(/commit [0-9a-f]{40}/.exec(NAMES.source)![0].slice('commit '.length)), 'the commit the names were read from');
  });
});

describe('kube-vip variables: what start-up and validate say', () => {
  it('a refused variable is a configuration error naming it and why', () => {
    const r = configFromEnv(fakeHost({ env: { ...BASE_ENV, vip_wireguard: 'true', config_file: '/etc/kube-vip/config.yaml' } }));
    assert.equal(r.ok, false);
    const lines = formatErrors(r.ok ? [] : r.error);
    assert.ok(lines.some((l) => /^vip_wireguard: not supported: .*WireGuard/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^config_file: not supported: kube-vip's own configuration file/.test(l)), lines.join('\n'));
  });

  it('a refusal depends on the value: vip_wireguard=false is accepted and named as not used', () => {
    const r = configFromEnv(fakeHost({ env: { ...BASE_ENV, vip_wireguard: 'false' } }));
    assert.ok(r.ok, r.ok ? '' : formatErrors(r.error).join('\n'));
    const account = accountKubeVipVariables({ ...BASE_ENV, vip_wireguard: 'false' }, 'bgp').find((a) => a.name === 'vip_wireguard');
    assert.equal(account?.use, 'unused');
  });

  it('lb_enable is refused when the VIP port would differ from the API server\'s, warned about when it is the same', () => {
    assert.equal(accountKubeVipVariables({ ...BASE_ENV, lb_enable: 'true', lb_port: '8443' }, 'bgp').find((a) => a.name === 'lb_enable')?.use, 'refused');
    assert.equal(accountKubeVipVariables({ ...BASE_ENV, lb_enable: 'true' }, 'bgp').find((a) => a.name === 'lb_enable')?.use, 'differs');
  });

  it('vip_loseleadership=true is refused in ARP mode and not used in BGP mode', () => {
    assert.equal(accountKubeVipVariables({ vip_arp: 'true', vip_loseleadership: 'true' }, 'arp')[1]?.use, 'refused');
    assert.equal(accountKubeVipVariables({ bgp_enable: 'true', vip_loseleadership: 'true' }, 'bgp')[1]?.use, 'unused');
  });

  it('resolveConfig lists every kube-vip variable set, and start-up warns about exactly the ones not used as in kube-vip', () => {
    const env = { ...BASE_ENV, vip_leaseannotations: '{"a":"b"}', enable_endpoints: 'true', bgp_peerpass: 's3cret', vip_interface: 'lo' };
    const r = resolveConfig({ host: fakeHost({ env }) });
    assert.ok(r.ok, r.ok ? '' : formatErrors(r.error).join('\n'));
    assert.deepEqual(r.value.kubeVip.map((a) => a.name).sort(), Object.keys(env).sort());
    const warnings = r.value.kubeVip.map(kubeVipWarning).filter((w) => w !== undefined);
    assert.deepEqual(warnings.map((w) => /^kube-vip's (\S+)/.exec(w)![1]).sort(), ['enable_endpoints', 'vip_leaseannotations']);
    const lines = r.value.kubeVip.map(describeKubeVipAccount);
    assert.ok(lines.includes('used: bgp_as → asn'), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('not used: vip_leaseannotations: ')), lines.join('\n'));
    assert.ok(!lines.join('\n').includes('s3cret'), 'no value is shown, so no password either');
  });

  it('a config file names every kube-vip variable set as ignored, the new ones included', () => {
    const r = resolveConfig({ configPath: '/etc/vs.yaml', host: fakeHost({ env: { svc_leasename: 'x', vip_wireguard: 'true' }, files: { '/etc/vs.yaml': 'asn: 65010\nrouterId: 198.51.100.7\nvips: [192.0.2.10]\npeers: ["192.0.2.1:65001::false"]\n' } }) });
    assert.ok(r.ok);
    assert.ok(r.value.notes.some((n) => /ignoring kube-vip's svc_leasename, vip_wireguard|ignoring kube-vip's vip_wireguard, svc_leasename/.test(n)), r.value.notes.join('\n'));
    assert.deepEqual(r.value.kubeVip, []);
  });

  it('a single kube-vip variable outside env.ts\'s old list still selects env mode', () => {
    const r = resolveConfig({ host: fakeHost({ env: { vip_wireguard: 'true' } }) });
    assert.equal(r.ok, false);
    assert.ok(formatErrors(r.ok ? [] : r.error).some((l) => l.startsWith('vip_wireguard: not supported')));
  });
});

describe('kube-vip Service annotations', () => {
  it('serviceInterface is used where Service VIPs go on an interface, refused as "auto", not read in BGP mode on lo', () => {
    assert.equal(serviceAnnotationDecision('kube-vip.io/serviceInterface', { value: 'eth1', placesOnInterface: true })?.use, 'used');
    assert.equal(serviceAnnotationDecision('kube-vip.io/serviceInterface', { value: 'auto', placesOnInterface: true })?.use, 'refused');
    assert.equal(serviceAnnotationDecision('kube-vip.io/serviceInterface', { value: 'eth1', placesOnInterface: false })?.use, 'unused');
  });

  it('serviceVLAN is refused in ARP mode (the VIP would be off the VLAN) and unused on lo', () => {
    assert.equal(serviceAnnotationDecision('kube-vip.io/serviceVLAN', { value: 'eth0.200', placesOnInterface: true })?.use, 'refused');
    assert.equal(serviceAnnotationDecision('kube-vip.io/serviceVLAN', { value: 'eth0.200', placesOnInterface: false })?.use, 'unused');
  });

  it('egress is warned about only when switched on; an annotation kube-vip does not know has no decision', () => {
    assert.equal(serviceAnnotationDecision('kube-vip.io/egress', { value: 'true', placesOnInterface: false })?.use, 'warned');
    assert.equal(serviceAnnotationDecision('kube-vip.io/egress', { value: 'false', placesOnInterface: false })?.use, 'unused');
    assert.equal(serviceAnnotationDecision('kube-vip.io/constructor', { value: 'true', placesOnInterface: false }), undefined);
    assert.equal(serviceAnnotationDecision('constructor', { value: 'true', placesOnInterface: false }), undefined);
  });
});
