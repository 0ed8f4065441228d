// Issue 14, security: the DaemonSet's RBAC grants exactly what the code uses. For each mode and
// feature combination the generator takes, the daemon runs from that DaemonSet's environment
// against the fake API server (rbac-usage.ts), every request it makes is turned into the verb
// and resource it needs, and the test fails when a request is not granted (less) or a grant is
// never used (more).
import { strict as assert } from 'node:assert';
import { type Access, type Grant, allows, describeAccess, observe } from './rbac-usage.js';

const BGP = ['--localAS', '65010', '--bgppeers', '192.0.2.1:65001::false'];
const ARP = ['--arp', '--interface', 'eth0'];
const CP = ['--controlplane', '--address', '192.0.2.10'];

const COMBINATIONS: Array<[string, string[]]> = [
  ['BGP, control plane', [...BGP, ...CP]],
  ['BGP, Services', [...BGP, '--services']],
  ['BGP, Services, per-Service election', [...BGP, '--services', '--servicesElection']],
  ['BGP, control plane and Services, node annotations', [...BGP, ...CP, '--services', '--annotations', 'metal.equinix.com']],
  ['BGP, control plane, Services, per-Service election', [...BGP, ...CP, '--services', '--servicesElection']],
  ['ARP, control plane', [...ARP, ...CP]],
  ['ARP, Services', [...ARP, '--services']],
  ['ARP, Services, per-Service election', [...ARP, '--services', '--servicesElection']],
  ['ARP, control plane and Services', [...ARP, ...CP, '--services']],
  ['ARP, control plane, Services, per-Service election', [...ARP, ...CP, '--services', '--servicesElection']],
];

function unique<T extends Access>(list: T[]): T[] {
  const seen = new Map<string, T>();
  for (const a of list) seen.set(`${describeAccess(a)} ${(a as Partial<Grant>).from ?? ''}`, a);
  return [...seen.values()].sort((a, b) => describeAccess(a).localeCompare(describeAccess(b)));
}

describe('RBAC: exactly what the code uses (issue 14)', function () {
  this.timeout(60_000);

  for (const [name, args] of COMBINATIONS) {
    it(`${name}: every request granted, every grant used`, async () => {
      const { used, grants } = await observe(args);
      const missing = unique(used.filter((u) => !grants.some((g) => allows(g, u))));
      const unused = unique(grants.filter((g) => !used.some((u) => allows(g, u))));
      const report = [
        ...missing.map((m) => `  not granted, but used: ${describeAccess(m)}`),
        ...unused.map((g) => `  granted by ${g.from}, never used: ${describeAccess(g)}`),
        '  used:',
        ...unique(used).map((u) => `    ${describeAccess(u)}`),
      ].join('\n');
      assert.ok(missing.length === 0 && unused.length === 0, `vip-speaker manifest rbac ${args.join(' ')}\n${report}`);
      assert.ok(used.length > 0 || !args.includes('--services'), 'the scenario made requests');
    });
  }
});
