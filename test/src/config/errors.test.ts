// Every refusal of the config file: one error per problem, naming the key path, the line, what
// was expected and what arrived.
import { strict as assert } from 'node:assert';
import { formatErrors, parseConfig } from '../../../src/config/index.js';
import { errorAt, errorLines, fakeHost, MINIMAL, valid } from './helpers.js';

/** MINIMAL with one more peer, given as a YAML flow mapping or a peer string. */
const withPeer = (peer: string) => `${MINIMAL}  - ${peer}\n`;

describe('config file errors: keys and types', () => {
  it('names an unknown top-level key and the likely intended one', () => {
    assert.equal(errorAt(`${MINIMAL}holdtime: 90\n`, 'holdtime'), 'line 6: holdtime: unknown key "holdtime" at top level (did you mean "holdTime"?)');
  });

  it('names an unknown key in a peer', () => {
    assert.match(errorAt(withPeer('{ address: 192.0.2.2, asn: 65001, pasword: x }'), 'peers[1].pasword'), /unknown key "pasword" in peers\[1\] \(did you mean "password"\?\)/);
  });

  it('names an unknown key with no likely intent plainly', () => {
    assert.equal(errorAt(`${MINIMAL}frobnicate: 1\n`, 'frobnicate'), 'line 6: frobnicate: unknown key "frobnicate" at top level');
  });

  it('refuses a list where a mapping belongs', () => {
    assert.match(errorAt(`${MINIMAL}admin: [1]\n`, 'admin'), /admin: expected a mapping of keys \(address, port, healthPort\), got a list/);
  });

  it('refuses a top level that is not a mapping', () => {
    assert.deepEqual(errorLines('- a\n- b\n'), ['expected a mapping of keys (mode, asn, routerId, routerInterface, listen, holdTime, keepaliveTime, connectRetryTime, gracefulRestart, sourceAddress, sourceInterface, mpbgp, bfd, peers, vipInterface, vipPlacement, vips, admin, log, kubernetes, arp), got a list']);
  });

  it('refuses a string where a boolean belongs', () => {
    assert.match(errorAt(withPeer('{ address: 192.0.2.2, asn: 65001, passive: "yes" }'), 'peers[1].passive'), /expected true or false, got "yes"/);
  });

  it('names the choices of an enumerated key', () => {
    assert.match(errorAt(`${MINIMAL}log: { level: verbose }\n`, 'log.level'), /expected one of "debug", "info", "warn", "error", got "verbose"/);
    assert.match(errorAt(`${MINIMAL}mode: l2\n`, 'mode'), /expected one of "bgp", "arp", got "l2"/);
  });

  it('reports a YAML syntax error with its line and column', () => {
    const [line] = errorLines('asn: 65010\npeers:\n  - "192.0.2.1:65001::false\n');
    assert.match(line!, /^line \d+: YAML: Missing closing "quote/);
  });

  it('says that an unquoted bracketed IPv6 peer string must be quoted', () => {
    assert.match(errorLines(`${MINIMAL}  - [2001:db8::1]:65001::false\n`)[0]!, /line 6: YAML: .*a peer string that starts with "\[" must be quoted/);
    assert.match(errorAt(withPeer('[2001:db8::1]'), 'peers[1]'), /expected a peer string or a mapping, got a list \(in YAML, a peer string that starts with "\[" must be quoted/);
  });

  it('lists errors in file order', () => {
    const lines = errorLines('holdtime: 9\nasn: 65x\nrouterId: 198.51.100.7\nvips: [192.0.2.10]\npeers: [192.0.2.1:65001]\n');
    assert.deepEqual(lines.map((l) => l.split(':')[0]), ['line 1', 'line 2']);
  });
});

describe('config file errors: AS numbers, ports, timers, router id', () => {
  it('refuses an AS that is not a number', () => {
    assert.equal(errorAt(withPeer('{ address: 192.0.2.2, asn: 65x }'), 'peers[1].asn'), 'line 6: peers[1].asn: expected an AS number 1..4294967295, got "65x"');
  });

  it('refuses AS 0 and AS_TRANS, saying why', () => {
    assert.match(errorAt(MINIMAL.replace('asn: 65010', 'asn: 0'), 'asn'), /got 0: AS 0 is reserved .*RFC 7607/);
    assert.match(errorAt(withPeer('{ address: 192.0.2.2, asn: 23456 }'), 'peers[1].asn'), /got 23456: AS_TRANS .*RFC 6793/);
  });

  it('refuses an AS beyond four octets', () => {
    assert.match(errorAt(MINIMAL.replace('asn: 65010', 'asn: 4294967296'), 'asn'), /expected an AS number 1\.\.4294967295, got 4294967296/);
  });

  it('needs the node AS in bgp mode', () => {
    assert.equal(errorAt(MINIMAL.replace('asn: 65010\n', ''), 'asn'), "asn: missing: this node's AS number");
  });

  it('refuses a port out of range, in a peer and in admin', () => {
    assert.match(errorAt(withPeer('{ address: 192.0.2.2, asn: 65001, port: 70000 }'), 'peers[1].port'), /expected a TCP port 1\.\.65535, got 70000/);
    assert.match(errorAt(`${MINIMAL}admin: { port: 0 }\n`, 'admin.port'), /expected a TCP port 1\.\.65535, got 0/);
  });

  it('refuses a hold time of 1 or 2 seconds (RFC 4271)', () => {
    for (const hold of [1, 2]) {
      assert.equal(errorAt(`${MINIMAL}holdTime: ${hold}\n`, 'holdTime'), `line 6: holdTime: expected a hold time of 0 or at least 3 seconds (RFC 4271 §4.2), got ${hold}`);
    }
  });

  it('refuses a keepalive above a third of the hold time', () => {
    assert.equal(errorAt(`${MINIMAL}holdTime: 90\nkeepaliveTime: 40\n`, 'keepaliveTime'), 'line 7: keepaliveTime: expected at most a third of the hold time (90 / 3 = 30), got 40');
    assert.match(errorAt(withPeer('{ address: 192.0.2.2, asn: 65001, holdTime: 9, keepaliveTime: 4 }'), 'peers[1].keepaliveTime'), /at most a third of the hold time \(9 \/ 3 = 3\), got 4/);
  });

  it('refuses keepalives when the hold time is 0', () => {
    assert.match(errorAt(`${MINIMAL}holdTime: 0\nkeepaliveTime: 10\n`, 'keepaliveTime'), /expected 0 when the hold time is 0/);
  });

  it('refuses a restart time beyond the 12 bits of RFC 4724', () => {
    assert.match(errorAt(`${MINIMAL}gracefulRestart: { restartTime: 5000 }\n`, 'gracefulRestart.restartTime'), /expected a restart time in seconds 0\.\.4095, got 5000/);
  });

  it('refuses an invalid router id', () => {
    assert.match(errorAt(MINIMAL.replace('198.51.100.7', '198.51.100'), 'routerId'), /expected a router id written as an IPv4 address \(dotted quad\), got "198\.51\.100"/);
    assert.match(errorAt(MINIMAL.replace('198.51.100.7', '0.0.0.0'), 'routerId'), /expected a non-zero router id/);
  });

  it('refuses routerId and routerInterface together', () => {
    assert.match(errorAt(`${MINIMAL}routerInterface: eth0\n`, 'routerInterface'), /set routerId or routerInterface, not both/);
  });

  it('names the interfaces there are when routerInterface names none of them', () => {
    assert.match(errorAt(MINIMAL.replace('routerId: 198.51.100.7', 'routerInterface: eth9'), 'routerInterface'), /no interface named "eth9" on this host \(found: lo, eth0, eth1\)/);
  });

  it('says when routerInterface has no IPv4 address', () => {
    assert.match(errorAt(MINIMAL.replace('routerId: 198.51.100.7', 'routerInterface: eth1'), 'routerInterface'), /interface eth1 has no IPv4 address .*set routerId/);
  });

  it('asks an IPv6-only node for a router id', () => {
    const host = fakeHost({ interfaces: { lo: [{ address: '::1', family: 'IPv6', internal: true }], eth0: [{ address: '2001:db8::7', family: 'IPv6', internal: false }] } });
    assert.match(errorAt(MINIMAL.replace('routerId: 198.51.100.7\n', ''), 'routerId', host), /no interface has an IPv4 address .*set routerId or routerInterface/);
  });
});

describe('config file errors: peers', () => {
  it('calls a peer string with a ":" in its password ambiguous', () => {
    assert.equal(
      errorAt(withPeer('192.0.2.2:65000:pass:word:false'), 'peers[1]'),
      `line 6: peers[1]: "192.0.2.2:65000:<redacted>" is ambiguous: the fields after the password do not parse (multihop field: expected true or false); a password containing ':' needs the object form (address, asn, password)`,
    );
  });

  it('refuses a "," in a peer string item', () => {
    assert.match(errorAt(withPeer('"192.0.2.2:65000:pa,ss:false"'), 'peers[1]'), /holds a ",": list one peer per item, and write a password containing "," in the object form/);
  });

  it('refuses a peer that is neither a string nor a mapping', () => {
    assert.match(errorAt(withPeer('65001'), 'peers[1]'), /expected a peer string or a mapping, got 65001/);
  });

  it('checks the AS of a peer string like any other', () => {
    assert.match(errorAt(withPeer('192.0.2.2:0'), 'peers[1]'), /AS field of "192\.0\.2\.2:0": expected an AS number .*AS 0 is reserved/);
  });

  it('refuses a peer listed twice, naming the first', () => {
    assert.equal(errorAt(withPeer('{ address: 192.0.2.1, asn: 65002 }'), 'peers[1]'), 'line 6: peers[1]: peer 192.0.2.1 is listed twice (also peers[0])');
  });

  it('matches a repeated IPv6 peer however it is written', () => {
    assert.match(errorAt(`${MINIMAL}  - "[2001:db8::1]:65001"\n  - { address: "2001:DB8:0::1", asn: 65001 }\n`, 'peers[2]'), /peer 2001:db8::1 is listed twice \(also peers\[1\]\)/);
  });

  it('needs the address and AS of an object peer', () => {
    const lines = errorLines(withPeer('{ port: 179 }'));
    assert.deepEqual(lines, ["line 6: peers[1].address: missing: the peer's IP address", "line 6: peers[1].asn: missing: the peer's AS number"]);
  });

  it('refuses a peer address that is not an IP address, or that no router can be', () => {
    assert.match(errorAt(withPeer('{ address: tor-a.example, asn: 65001 }'), 'peers[1].address'), /"tor-a\.example" is not an IP address/);
    assert.match(errorAt(withPeer('{ address: 224.0.0.5, asn: 65001 }'), 'peers[1].address'), /is a multicast address and cannot be a peer/);
    assert.match(errorAt(withPeer('{ address: "fe80::1", asn: 65001 }'), 'peers[1].address'), /IPv6 link-local address: unnumbered peers .* are not supported yet/);
  });

  it('takes an IPv4 link-local peer, as Equinix Metal\'s routers at 169.254.255.1 and .2', () => {
    const config = valid(withPeer('{ address: 169.254.255.1, asn: 65530, multihop: true }'));
    assert.deepEqual(config.peers.map((p) => [p.address, p.multihop, p.ttl]).at(-1), ['169.254.255.1', true, 50]);
  });

  it('says when a password file cannot be read', () => {
    assert.equal(errorAt(withPeer('{ address: 192.0.2.2, asn: 65001, passwordFile: /etc/x }'), 'peers[1].passwordFile'), 'line 6: peers[1].passwordFile: cannot read /etc/x: ENOENT');
  });

  it('refuses an empty password file and an unset or empty password variable', () => {
    const host = fakeHost({ files: { '/etc/x': '\n' }, env: { EMPTY: '' } });
    assert.match(errorAt(withPeer('{ address: 192.0.2.2, asn: 65001, passwordFile: /etc/x }'), 'peers[1].passwordFile', host), /\/etc\/x is empty: a missing secret must not turn TCP MD5 off/);
    assert.match(errorAt(withPeer('{ address: 192.0.2.2, asn: 65001, passwordEnv: NOPE }'), 'peers[1].passwordEnv', host), /environment variable NOPE is not set/);
    assert.match(errorAt(withPeer('{ address: 192.0.2.2, asn: 65001, passwordEnv: EMPTY }'), 'peers[1].passwordEnv', host), /environment variable EMPTY is empty/);
  });

  it('refuses two sources for one password', () => {
    assert.match(errorAt(withPeer('{ address: 192.0.2.2, asn: 65001, password: a, passwordEnv: B }'), 'peers[1]'), /set only one of password, passwordEnv/);
  });

  it('refuses a password longer than the kernel\'s TCP MD5 key', () => {
    assert.match(errorAt(withPeer(`{ address: 192.0.2.2, asn: 65001, password: ${'x'.repeat(81)} }`), 'peers[1].password'), /the password is 81 bytes; Linux accepts at most 80 \(TCP_MD5SIG_MAXKEYLEN\)/);
  });

  it('refuses GTSM together with multihop, and a ttl with multihop false', () => {
    assert.match(errorAt(withPeer('{ address: 192.0.2.2, asn: 65001, gtsmHops: 1, multihop: true }'), 'peers[1].gtsmHops'), /GTSM and multihop exclude each other/);
    assert.match(errorAt(withPeer('{ address: 192.0.2.2, asn: 65001, multihop: false, ttl: 5 }'), 'peers[1].ttl'), /ttl is the eBGP multihop TTL; it needs multihop: true/);
    assert.match(errorAt(withPeer('{ address: 192.0.2.2, asn: 65001, ttl: 256 }'), 'peers[1].ttl'), /expected a TTL 1\.\.255, got 256/);
  });

  it('refuses a source address of the other family', () => {
    assert.match(errorAt(withPeer('{ address: 192.0.2.2, asn: 65001, sourceAddress: "2001:db8::7" }'), 'peers[1].sourceAddress'), /are of different IP families/);
  });

  it('refuses MP-BGP options that cannot work', () => {
    assert.match(errorAt(withPeer('{ address: 192.0.2.2, asn: 65001, mpbgp: { nexthop: fixed } }'), 'peers[1].mpbgp.nexthop'), /next hop "fixed" needs an ipv4 or an ipv6 address/);
    assert.match(errorAt(withPeer('{ address: 192.0.2.2, asn: 65001, mpbgp: { nexthop: auto_sourceif } }'), 'peers[1].mpbgp.nexthop'), /needs a sourceInterface/);
    assert.match(errorAt(withPeer('{ address: 192.0.2.2, asn: 65001, mpbgp: { nexthop: fixed, ipv4: "2001:db8::1" } }'), 'peers[1].mpbgp.ipv4'), /expected an IPv4 address for ipv4/);
    assert.match(errorAt(withPeer('{ address: 192.0.2.2, asn: 65001, mpbgp: { nexthop: magic } }'), 'peers[1].mpbgp.nexthop'), /expected nexthop "fixed", "auto_sourceip", "auto_sourceif", got "magic"/);
  });

  it('refuses a BFD interval of 0 ms', () => {
    assert.match(errorAt(withPeer('{ address: 192.0.2.2, asn: 65001, bfd: { enabled: true, tx: 0 } }'), 'peers[1].bfd.tx'), /expected an interval in milliseconds 1\.\.4294967, got 0/);
  });

  it('refuses a BFD interval that does not fit 32 bits of microseconds', () => {
    assert.match(errorAt(withPeer('{ address: 192.0.2.2, asn: 65001, bfd: { rx: 4294968 } }'), 'peers[1].bfd.rx'), /1\.\.4294967, got 4294968/);
  });

  it('refuses a node-level BFD multiplier of 0, at its own path', () => {
    assert.match(errorAt(`${MINIMAL}bfd: { enabled: true, multiplier: 0 }\n`, 'bfd.multiplier'), /expected a detection multiplier 1\.\.255, got 0/);
  });

  it('refuses a BFD multiplier outside one octet', () => {
    assert.match(errorAt(withPeer('{ address: 192.0.2.2, asn: 65001, bfd: { enabled: true, multiplier: 0 } }'), 'peers[1].bfd.multiplier'), /expected a detection multiplier 1\.\.255, got 0/);
  });

  it('needs a peer in bgp mode', () => {
    assert.equal(errorAt('asn: 65010\nrouterId: 198.51.100.7\nvips: [192.0.2.10]\n', 'peers'), 'peers: missing: bgp mode needs at least one peer');
  });
});

describe('config file errors: communities', () => {
  it('refuses a community out of range or of unknown name', () => {
    const lines = errorLines(withPeer('{ address: 192.0.2.2, asn: 65001, communities: ["65536:1", no-exprt, "1:2:3"] }'));
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /peers\[1\]\.communities\[0\]: expected a community "ASN:VALUE" with both parts 0\.\.65535, or one of .*no-export.*; got "65536:1"/);
    assert.match(lines[1]!, /peers\[1\]\.communities\[1\]: .*got "no-exprt"/);
    assert.match(lines[2]!, /peers\[1\]\.communities\[2\]: .*got "1:2:3"/);
  });

  it('refuses a large community that is not three numbers of 32 bits', () => {
    const lines = errorLines(withPeer('{ address: 192.0.2.2, asn: 65001, largeCommunities: ["65000:1", "4294967296:0:0"] }'));
    assert.match(lines[0]!, /largeCommunities\[0\]: expected a large community "GLOBAL:LOCAL1:LOCAL2" with each part 0\.\.4294967295 \(RFC 8092\), got "65000:1"/);
    assert.match(lines[1]!, /largeCommunities\[1\]: .*got "4294967296:0:0"/);
  });
});

describe('config file errors: VIPs and the rest', () => {
  it('refuses a VIP that is not an IP address', () => {
    assert.equal(errorAt(MINIMAL.replace('[192.0.2.10]', '[192.0.2.10, 192.0.2.11, 192.0.2.300]'), 'vips[2]'), 'line 3: vips[2]: "192.0.2.300" is not an IP address');
  });

  it('refuses a VIP that is not a host route', () => {
    assert.match(errorAt(MINIMAL.replace('[192.0.2.10]', '[192.0.2.0/24]'), 'vips[0]'), /"192\.0\.2\.0\/24" is not a host route: vip-speaker announces \/32 \(IPv4\) and \/128 \(IPv6\) VIPs only/);
    assert.match(errorAt(MINIMAL.replace('[192.0.2.10]', '["2001:db8::/64"]'), 'vips[0]'), /is not a host route/);
  });

  it('refuses loopback and unspecified VIPs', () => {
    assert.match(errorAt(MINIMAL.replace('[192.0.2.10]', '[127.0.0.2]'), 'vips[0]'), /is a loopback address and cannot be a VIP/);
    assert.match(errorAt(MINIMAL.replace('[192.0.2.10]', '["::"]'), 'vips[0]'), /is the unspecified address/);
  });

  it('refuses a VIP listed twice however it is written', () => {
    assert.match(errorAt(MINIMAL.replace('[192.0.2.10]', '[192.0.2.10, { address: 192.0.2.10/32 }]'), 'vips[1]'), /VIP 192\.0\.2\.10\/32 is listed twice \(also vips\[0\]\)/);
  });

  it('says when there is nothing to announce', () => {
    assert.match(errorAt(MINIMAL.replace('vips: [192.0.2.10]\n', ''), 'vips'), /nothing to announce/);
  });

  it('accepts an explicit empty VIP list: VIPs may come with a reload', () => {
    const result = parseConfig(MINIMAL.replace('vips: [192.0.2.10]', 'vips: []'), fakeHost());
    assert.ok(result.ok, result.ok ? '' : formatErrors(result.error).join('\n'));
    assert.deepEqual(result.value.vips.static, []);
  });

  it('refuses kubernetes.enabled false with services on', () => {
    assert.match(errorAt(`${MINIMAL}kubernetes: { enabled: false, services: true }\n`, 'kubernetes.enabled'), /is false, but services needs the Kubernetes API/);
  });

  it('refuses lo as the interface in arp mode', () => {
    assert.match(errorAt(`mode: arp\nrouterId: 198.51.100.7\nvips: [192.0.2.10]\n`, 'vipInterface'), /arp mode answers ARP on the VIPs' own network/);
  });

  it('refuses an interface name Linux would not accept', () => {
    assert.match(errorAt(`${MINIMAL}vipInterface: a-very-long-interface-name\n`, 'vipInterface'), /expected an interface name \(1 to 15 characters/);
  });

  it('collects every error rather than stopping at the first', () => {
    const result = parseConfig('asn: 0\nholdTime: 1\nrouterId: x\nvips: [x]\npeers: [{ address: x, asn: 0 }]\n', fakeHost());
    assert.ok(!result.ok);
    assert.deepEqual(result.error.map((e) => e.path), ['asn', 'holdTime', 'routerId', 'vips[0]', 'peers[0].address', 'peers[0].asn']);
    assert.deepEqual(result.error.map((e) => e.code), ['CONFIG_INVALID_VALUE', 'CONFIG_INVALID_VALUE', 'CONFIG_INVALID_VALUE', 'CONFIG_INVALID_VALUE', 'CONFIG_INVALID_VALUE', 'CONFIG_INVALID_VALUE']);
  });
});
