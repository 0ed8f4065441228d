// The config file when it is valid: what each key becomes, and the defaults.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { fileURLToPath } from 'node:url';
import { DEFAULTS, formatErrors, loadConfigFile } from '../../../src/config/index.js';
import { errorLines, fakeHost, MINIMAL, valid } from './helpers.js';

describe('config file: defaults', () => {
  const config = valid(MINIMAL);

  it('runs in bgp mode with no listener, as kube-vip', () => {
    assert.equal(config.mode, 'bgp');
    assert.equal(config.listen, null);
  });

  it('uses kube-vip\'s timers: hold 30, keepalive 10, connect retry 10', () => {
    assert.deepEqual(config.timers, { holdTime: 30, keepaliveTime: 10, connectRetryTime: 10 });
  });

  it('turns graceful restart on with a 120 s restart time', () => {
    assert.deepEqual(config.gracefulRestart, { enabled: true, restartTime: 120 });
  });

  it('binds VIPs to lo and serves the admin endpoint on 127.0.0.1:9469', () => {
    assert.equal(config.vips.interface, 'lo');
    assert.deepEqual(config.admin, { address: '127.0.0.1', port: 9469 });
  });

  it('logs at info level as JSON and leaves Kubernetes off', () => {
    assert.deepEqual(config.log, { level: 'info', format: 'json' });
    assert.deepEqual(config.kubernetes, { enabled: false, controlPlane: false, services: false, apiServerPort: 6443 });
  });

  it('gives a peer port 179, no password, no multihop and no timers of its own', () => {
    assert.deepEqual(config.peers, [{ address: '192.0.2.1', asn: 65001, port: 179, multihop: false, communities: [], largeCommunities: [], passive: false }]);
  });

  it('writes a bare VIP as a host route', () => {
    assert.deepEqual(config.vips.static, [{ address: '192.0.2.10/32', communities: [], largeCommunities: [] }]);
  });
});

describe('config file: values', () => {
  it('derives the keepalive from a hold time given alone', () => {
    assert.deepEqual(valid(`${MINIMAL}holdTime: 90\n`).timers, { holdTime: 90, keepaliveTime: 30, connectRetryTime: 10 });
  });

  it('accepts a hold time of 0 with a keepalive of 0', () => {
    assert.deepEqual(valid(`${MINIMAL}holdTime: 0\n`).timers, { holdTime: 0, keepaliveTime: 0, connectRetryTime: 10 });
  });

  it('accepts numbers written as strings of digits', () => {
    assert.equal(valid(MINIMAL.replace('asn: 65010', 'asn: "4200000001"')).node.asn, 4200000001);
  });

  it('writes addresses in their canonical form', () => {
    const config = valid(`asn: 65010\nrouterId: 198.51.100.7\npeers: [{ address: "2001:DB8:0::0001", asn: 65001 }]\nvips: ["2001:DB8::A/128"]\n`);
    assert.equal(config.peers[0]!.address, '2001:db8::1');
    assert.equal(config.vips.static[0]!.address, '2001:db8::a/128');
  });

  it('gives a peer its own timers, a hold time alone bringing a third of it as keepalive', () => {
    const config = valid(`${MINIMAL}  - { address: 192.0.2.2, asn: 65001, holdTime: 9 }\n  - { address: 192.0.2.3, asn: 65001, keepaliveTime: 5 }\n`);
    assert.deepEqual([config.peers[1]!.holdTime, config.peers[1]!.keepaliveTime], [9, 3]);
    assert.deepEqual([config.peers[2]!.holdTime, config.peers[2]!.keepaliveTime], [30, 5]);
  });

  it('sends multihop with TTL 50 unless a ttl is given, and a ttl implies multihop', () => {
    const config = valid(`${MINIMAL}  - { address: 192.0.2.2, asn: 65001, multihop: true }\n  - { address: 192.0.2.3, asn: 65001, ttl: 4 }\n`);
    assert.deepEqual([config.peers[1]!.multihop, config.peers[1]!.ttl], [true, 50]);
    assert.deepEqual([config.peers[2]!.multihop, config.peers[2]!.ttl], [true, 4]);
  });

  it('keeps GTSM hops apart from multihop', () => {
    const peer = valid(`${MINIMAL}  - { address: 192.0.2.2, asn: 65001, gtsmHops: 1 }\n`).peers[1]!;
    assert.deepEqual([peer.gtsmHops, peer.multihop, peer.ttl], [1, false, undefined]);
  });

  it('writes communities canonically and drops repeats', () => {
    const peer = valid(`${MINIMAL}  - { address: 192.0.2.2, asn: 65001, communities: ["065000:0100", NO-EXPORT, "65000:100"], largeCommunities: ["4200000001:0:7"] }\n`).peers[1]!;
    assert.deepEqual(peer.communities, ['65000:100', 'no-export']);
    assert.deepEqual(peer.largeCommunities, ['4200000001:0:7']);
  });

  it('accepts every well-known community name', () => {
    const names = ['no-export', 'no-advertise', 'no-export-subconfed', 'local-as', 'no-peer', 'blackhole', 'graceful-shutdown', 'accept-own'];
    const peer = valid(`${MINIMAL}  - { address: 192.0.2.2, asn: 65001, communities: [${names.join(', ')}] }\n`).peers[1]!;
    assert.deepEqual(peer.communities, names);
  });

  it('refuses names of Object.prototype as communities: "constructor" is no well-known community (found by fuzzing)', () => {
    for (const name of ['constructor', '__proto__', 'toString']) {
      const lines = errorLines(`${MINIMAL}  - { address: 192.0.2.2, asn: 65001, communities: [${name}] }\n`);
      assert.match(lines.join('\n'), /communities\[0\]: expected a community/, name);
    }
  });

  it('finds no interface or variable named after Object.prototype: errors, not a TypeError (found by fuzzing)', () => {
    const noRouterId = MINIMAL.replace('routerId: 198.51.100.7\n', '');
    assert.match(errorLines(`routerInterface: constructor\n${noRouterId}`).join('\n'), /routerInterface: no interface named "constructor"/);
    assert.match(errorLines(`${MINIMAL}  - { address: 192.0.2.2, asn: 65001, passwordEnv: constructor }\n`).join('\n'), /passwordEnv: environment variable constructor is not set/);
  });

  it('reads a password file without its final newline', () => {
    const host = fakeHost({ files: { '/run/secrets/tor-a': 'hunter2\n' } });
    const peer = valid(`${MINIMAL}  - { address: 192.0.2.2, asn: 65001, passwordFile: /run/secrets/tor-a }\n`, host).peers[1]!;
    assert.deepEqual([peer.password, peer.passwordSource], ['hunter2', 'file']);
  });

  it('reads a password from an environment variable', () => {
    const host = fakeHost({ env: { TOR_A: 'hunter2' } });
    const peer = valid(`${MINIMAL}  - { address: 192.0.2.2, asn: 65001, passwordEnv: TOR_A }\n`, host).peers[1]!;
    assert.deepEqual([peer.password, peer.passwordSource], ['hunter2', 'env']);
  });

  it('gives every peer the node-wide source address and MP-BGP options, key by key', () => {
    const config = valid([
      'asn: 65010', 'routerId: 198.51.100.7', 'vips: [192.0.2.10]', 'sourceAddress: 198.51.100.7', 'mpbgp: { nexthop: fixed, ipv6: "2001:db8::7" }',
      'peers:', '  - 192.0.2.1:65001::false', '  - { address: 192.0.2.2, asn: 65001, mpbgp: { ipv4: 198.51.100.9 } }', '',
    ].join('\n'));
    assert.deepEqual(config.peers.map((p) => [p.sourceAddress, p.mpbgp]), [
      ['198.51.100.7', { nexthop: 'fixed', ipv6: '2001:db8::7' }],
      ['198.51.100.7', { nexthop: 'fixed', ipv4: '198.51.100.9', ipv6: '2001:db8::7' }],
    ]);
  });

  it('listens on every address, port 179, when listen is an empty mapping', () => {
    assert.deepEqual(valid(`${MINIMAL}listen: {}\n`).listen, DEFAULTS.listen);
  });

  it('turns Kubernetes on when services are', () => {
    const k = valid(`${MINIMAL}kubernetes: { services: true, kubeconfig: /etc/kubernetes/admin.conf }\n`).kubernetes;
    assert.deepEqual(k, { enabled: true, controlPlane: false, services: true, kubeconfig: '/etc/kubernetes/admin.conf', apiServerPort: 6443 });
  });

  it('needs no VIPs when Kubernetes services provide them', () => {
    assert.deepEqual(valid(MINIMAL.replace('vips: [192.0.2.10]\n', 'kubernetes: { services: true }\n')).vips.static, []);
  });

  it('reads an empty peer list in arp mode, with the interface named', () => {
    const config = valid('mode: arp\nvipInterface: eth0\nrouterId: 198.51.100.7\nvips: [192.0.2.10]\n');
    assert.deepEqual([config.mode, config.peers, config.node.asn], ['arp', [], 65000]);
  });
});

describe('config file: the router id', () => {
  it('takes the written router id', () => {
    assert.deepEqual(valid(MINIMAL).node, { asn: 65010, routerId: '198.51.100.7', routerIdSource: 'config' });
  });

  it('takes the first non-loopback IPv4 address of routerInterface', () => {
    const node = valid(MINIMAL.replace('routerId: 198.51.100.7', 'routerInterface: eth0')).node;
    assert.deepEqual(node, { asn: 65010, routerId: '198.51.100.7', routerIdSource: 'interface', routerInterface: 'eth0' });
  });

  it('without either, skips loopback interfaces and VIPs to find one', () => {
    const host = fakeHost({
      interfaces: {
        lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }, { address: '192.0.2.10', family: 'IPv4', internal: true }],
        dummy0: [{ address: '192.0.2.10', family: 'IPv4', internal: false }],
        eth0: [{ address: '198.51.100.8', family: 4, internal: false }],
      },
    });
    const node = valid(MINIMAL.replace('routerId: 198.51.100.7\n', ''), host).node;
    assert.deepEqual(node, { asn: 65010, routerId: '198.51.100.8', routerIdSource: 'auto', routerInterface: 'eth0' });
  });
});

describe('config file: the router id, continued', () => {
  it('without either, skips the VIP interface whatever its flags', () => {
    const host = fakeHost({
      interfaces: {
        dummy0: [{ address: '203.0.113.50', family: 'IPv4', internal: false }],
        eth0: [{ address: '198.51.100.8', family: 'IPv4', internal: false }],
      },
    });
    const node = valid(`${MINIMAL.replace('routerId: 198.51.100.7\n', '')}vipInterface: dummy0\n`, host).node;
    assert.equal(node.routerId, '198.51.100.8');
  });
});

describe('config file: reading from disk', () => {
  it('names the file and line in every error', () => {
    const host = fakeHost({ files: { '/etc/vip-speaker/peers.yaml': `${MINIMAL}holdTime: 2\n` } });
    const result = loadConfigFile('/etc/vip-speaker/peers.yaml', host);
    assert.ok(!result.ok);
    assert.deepEqual(formatErrors(result.error), ['/etc/vip-speaker/peers.yaml:6: holdTime: expected a hold time of 0 or at least 3 seconds (RFC 4271 §4.2), got 2']);
  });

  it('says when the file cannot be read', () => {
    const result = loadConfigFile('/etc/vip-speaker/missing.yaml', fakeHost());
    assert.ok(!result.ok);
    assert.deepEqual(formatErrors(result.error), ['/etc/vip-speaker/missing.yaml: cannot read the config file: ENOENT']);
  });
});

describe('peers.example.yaml', () => {
  const path = fileURLToPath(new URL('../../../../peers.example.yaml', import.meta.url));
  const host = fakeHost({
    env: { TOR_C_PASSWORD: 'c-secret' },
    files: { [path]: readFileSync(path, 'utf8'), '/etc/vip-speaker/tor-b.password': 'b-secret\n' },
  });

  it('validates', () => {
    const result = loadConfigFile(path, host);
    assert.ok(result.ok, result.ok ? '' : formatErrors(result.error).join('\n'));
    assert.equal(result.value.peers.length, 4);
    assert.equal(result.value.vips.static.length, 3);
  });

  it('uses documentation addresses only', () => {
    const text = readFileSync(path, 'utf8');
    const addresses = text.match(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g) ?? [];
    for (const a of addresses) assert.match(a, /^(192\.0\.2|198\.51\.100|203\.0\.113)\.|^127\.0\.0\.1$/, a);
    const v6 = (text.match(/[0-9a-f:]{2,}/gi) ?? []).filter((run) => isIPv6(run) && run !== '::');
    assert.ok(v6.length > 0);
    for (const a of v6) assert.match(a.toLowerCase(), /^2001:db8:/, a);
  });
});

describe('config file: BFD', () => {
  const peers = (text: string) => valid(text).peers.map((p) => p.bfd);
  const node = 'asn: 65010\nrouterId: 198.51.100.7\nvips: [192.0.2.10]\n';

  it('runs no BFD unless asked', () => assert.deepEqual(peers(MINIMAL), [undefined]));
  it('takes a peer object\'s bfd, filling kube-vip\'s 300 ms, 300 ms, × 3', () => assert.deepEqual(peers(`${node}peers:\n  - { address: 192.0.2.1, asn: 65001, bfd: { enabled: true, tx: 100 } }\n`), [{ enabled: true, rx: 300, tx: 100, multiplier: 3 }]));
  it('gives every peer the node\'s bfd section', () => assert.deepEqual(peers(`${node}bfd: { enabled: true, rx: 200 }\npeers:\n  - 192.0.2.1:65001::false\n  - { address: 192.0.2.2, asn: 65001 }\n`), [{ enabled: true, rx: 200, tx: 300, multiplier: 3 }, { enabled: true, rx: 200, tx: 300, multiplier: 3 }]));
  it('lets a peer object override the node key by key', () => assert.deepEqual(peers(`${node}bfd: { enabled: true, rx: 200, multiplier: 5 }\npeers:\n  - { address: 192.0.2.1, asn: 65001, bfd: { tx: 50 } }\n`), [{ enabled: true, rx: 200, tx: 50, multiplier: 5 }]));
  it('lets a peer turn the node\'s BFD off', () => assert.deepEqual(peers(`${node}bfd: { enabled: true }\npeers:\n  - { address: 192.0.2.1, asn: 65001, bfd: { enabled: false } }\n`), [{ enabled: false, rx: 300, tx: 300, multiplier: 3 }]));
  it('lets a peer string\'s BFD field override the node whole', () => assert.deepEqual(peers(`${node}bfd: { enabled: true, rx: 200 }\npeers:\n  - "192.0.2.1:65001::false:::true;500;400;4"\n`), [{ enabled: true, rx: 500, tx: 400, multiplier: 4 }]));
});
