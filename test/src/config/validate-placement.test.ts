// vipPlacement: how VIPs are made local, chosen in the config file.
import { strict as assert } from 'node:assert';
import { parseConfig } from '../../../src/config/file.js';
import { diffConfig } from '../../../src/config/diff.js';

const host = { env: {}, listInterfaces: () => ({ eth0: [{ address: '192.0.2.2', family: 'IPv4' as const, internal: false, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: '192.0.2.2/24' }] }) };
const bgp = (extra: string) => parseConfig(['asn: 65100', 'routerId: 192.0.2.2', 'peers:', '  - "192.0.2.1:65000::false"', 'vips: []', extra].join('\n'), host);

describe('config: vipPlacement', () => {
  it('is auto unless written, and takes addresses or routes', () => {
    const auto = bgp('');
    assert.ok(auto.ok);
    assert.equal(auto.value.vips.placement, 'auto');
    for (const placement of ['addresses', 'routes'] as const) {
      const c = bgp(`vipPlacement: ${placement}`);
      assert.ok(c.ok);
      assert.equal(c.value.vips.placement, placement);
    }
  });

  it('refuses anything else, naming the choices and the line', () => {
    const c = bgp('vipPlacement: anyip');
    assert.ok(!c.ok);
    assert.deepEqual([c.error[0]!.path, c.error[0]!.line], ['vipPlacement', 6]);
    assert.match(c.error[0]!.message, /"auto", "addresses", "routes"/);
  });

  it('refuses routes in ARP mode, which puts addresses on the segment\'s interface', () => {
    const c = parseConfig(['mode: arp', 'vipInterface: eth0', 'vipPlacement: routes', 'vips: []'].join('\n'), host);
    assert.ok(!c.ok);
    assert.match(c.error.map((e) => e.message).join('\n'), /arp mode puts each VIP on vipInterface as an address/);
  });

  it('shows up in a reload\'s difference as vips.placement', () => {
    const a = bgp('');
    const b = bgp('vipPlacement: routes');
    assert.ok(a.ok && b.ok);
    assert.deepEqual(diffConfig(a.value, b.value).otherChanges, ['vips.placement']);
  });
});
