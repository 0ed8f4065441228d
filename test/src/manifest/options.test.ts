// The flags of `vip-speaker manifest`: kube-vip's names carry over; what cannot work is refused
// with a stable code and a reason; a password never reaches a manifest or a message.
import { strict as assert } from 'node:assert';
import { BGP_ONLY_FLAGS, DEFAULT_IMAGE, LEASE_DEFAULTS, LEASE_JITTER_FACTOR, buildDaemonSet, buildStaticPod, parseManifestArgs, type ManifestKind } from '../../../src/manifest/index.js';
import { JITTER_FACTOR, KUBE_VIP_ELECTION_DEFAULTS } from '../../../src/kubernetes/elections/elector.js';
import { VERSION } from '../../../src/version.js';
import { ARP, ARP_CONTROL_PLANE, CONTROL_PLANE, PEERS, SERVICES, options, problems } from './helpers.js';

/** Parses the flags and expects failure: "flag code: message" per problem. */
function messages(args: string[], kind: ManifestKind = 'daemonset'): string[] {
  const parsed = parseManifestArgs(kind, args);
  if (parsed.ok) throw new Error('expected errors, got valid flags');
  return parsed.error.map((e) => `${e.flag} ${e.code}: ${e.message}`);
}

/** The one problem of these flags, which must be `flag code`, with its message. */
function onlyProblem(args: string[], expected: string, kind: ManifestKind = 'daemonset'): string {
  const all = messages(args, kind);
  assert.equal(all.length, 1, all.join('\n'));
  assert.ok(all[0]!.startsWith(`${expected}: `), all[0]);
  return all[0]!.slice(expected.length + 2);
}

describe('manifest flags: kube-vip names', () => {
  it("reads a kube-vip generator command line (manifest daemonset --controlplane --services --bgp ...)", () => {
    const o = options(['--interface', 'lo', '--address', '192.0.2.10', '--inCluster', '--taint', '--controlplane', '--services', '--bgp', '--localAS', '65010', '--bgppeers', '192.0.2.1:65001::false', '--bgppeers', '192.0.2.2:65001::true']);
    assert.equal(o.vipInterface, 'lo');
    assert.equal(o.address, '192.0.2.10');
    assert.equal(o.controlPlane && o.services && o.controlPlaneNodesOnly, true);
    assert.equal(o.localAs, 65010);
    assert.deepEqual(o.peers, ['192.0.2.1:65001::false', '192.0.2.2:65001::true'], 'repeated --bgppeers add up, as kube-vip\'s string slice');
  });

  it("defaults to kube-vip's flag values, our image and the loopback admin port 9469", () => {
    const o = options(SERVICES);
    assert.equal(o.peerAs, 65000);
    assert.equal(o.apiServerPort, 6443);
    assert.equal(o.namespace, 'kube-system');
    assert.equal(o.kubeconfig, '/etc/kubernetes/admin.conf');
    assert.equal(o.image, `ghcr.io/vip-speaker/vip-speaker:${VERSION}`);
    assert.equal(DEFAULT_IMAGE, o.image);
    assert.deepEqual(o.admin, { kind: 'loopback' });
    assert.equal(o.adminPort, 9469);
  });

  it('takes --vip as the older name of --address, and several VIPs of both families', () => {
    assert.equal(options(['--controlplane', '--vip', '192.0.2.10, 2001:db8::10/128', ...PEERS]).address, '192.0.2.10,2001:db8::10/128');
    assert.deepEqual(problems(['--controlplane', '--vip', '192.0.2.10', '--address', '192.0.2.11', ...PEERS]), ['--vip MANIFEST_CONFLICT']);
  });

  it('takes --services-election as well as kube-vip\'s --servicesElection', () => {
    assert.equal(options([...SERVICES, '--services-election']).servicesElection, true);
    assert.equal(options([...SERVICES, '--servicesElection']).servicesElection, true);
  });

  it('reads the Secret reference, with "password" as the default key', () => {
    assert.deepEqual(options([...SERVICES, '--peerAddress', '192.0.2.3', '--peer-password-secret', 'bgp-md5']).peerPasswordSecret, { name: 'bgp-md5', key: 'password' });
    assert.deepEqual(options([...SERVICES, '--peerAddress', '192.0.2.3', '--peer-password-secret', 'bgp-md5:tor-a']).peerPasswordSecret, { name: 'bgp-md5', key: 'tor-a' });
  });

  it('reads --admin-address loopback, node or an address', () => {
    assert.deepEqual(options([...SERVICES, '--admin-address', 'node']).admin, { kind: 'node' });
    assert.deepEqual(options([...SERVICES, '--admin-address', '127.0.0.1']).admin, { kind: 'loopback' });
    assert.deepEqual(options([...SERVICES, '--admin-address', '198.51.100.7']).admin, { kind: 'address', address: '198.51.100.7' });
  });
});

describe('manifest flags: refused, each with a code and a reason', () => {
  it('refuses an unknown flag, suggesting the kube-vip spelling', () => {
    assert.deepEqual(problems([...SERVICES, '--localas', '1']), ['--localas MANIFEST_UNKNOWN_FLAG']);
    const parsed = parseManifestArgs('daemonset', ['--peeraddress', '192.0.2.3']);
    assert.ok(!parsed.ok);
    assert.match(parsed.error[0]!.message, /did you mean --peerAddress\?/);
    assert.deepEqual(problems(['--no-such-flag']), ['--no-such-flag MANIFEST_UNKNOWN_FLAG']);
  });

  it('refuses a password on the command line, and never repeats it', () => {
    const parsed = parseManifestArgs('daemonset', [...SERVICES, '--peerPass', 'hunter2', '--bgppeers', '192.0.2.3:65001:s3cret:false']);
    assert.ok(!parsed.ok);
    assert.deepEqual(parsed.error.map((e) => `${e.flag} ${e.code}`), ['--peerPass MANIFEST_PLAIN_PASSWORD', '--bgppeers MANIFEST_PLAIN_PASSWORD']);
    const text = JSON.stringify(parsed.error);
    assert.ok(!text.includes('hunter2') && !text.includes('s3cret'), text);
    assert.match(parsed.error[1]!.message, /peer 192\.0\.2\.3 carries a password.*--peer-password-secret/);
  });

  it('refuses kube-vip features vip-speaker does not have', () => {
    assert.deepEqual(problems([...SERVICES, '--enableLoadBalancer', '--prometheusHTTPServer', ':2112']), [
      '--enableLoadBalancer MANIFEST_UNSUPPORTED',
      '--prometheusHTTPServer MANIFEST_UNSUPPORTED',
    ]);
  });

  it("takes kube-vip's lease names and node labeling, a lease name only in --namespace", () => {
    const o = options([...ARP, '--services', '--leaseName', 'cp-lock', '--servicesLeaseName', 'svcs-lock', '--enableNodeLabeling']);
    assert.deepEqual([o.leaseName, o.servicesLeaseName, o.nodeLabeling], ['cp-lock', 'svcs-lock', true]);
    assert.match(onlyProblem([...ARP, '--services', '--leaseName', 'ops/cp'], '--leaseName MANIFEST_INVALID_VALUE'), /Lease name in --namespace/);
  });

  it('takes --leaderElection in BGP mode, as kube-vip: the control-plane VIP announced by the elected node only', () => {
    const r = parseManifestArgs('daemonset', [...CONTROL_PLANE, '--leaderElection']);
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.error));
    assert.equal(r.value.leaderElection, true);
    assert.ok(parseManifestArgs('daemonset', [...CONTROL_PLANE, '--leaderElection', '--leaseDuration', '10', '--leaseRenewDuration', '6']).ok, 'lease timings with an election to time');
  });

  it('refuses lease timings in BGP mode when nothing is elected', () => {
    assert.match(onlyProblem([...CONTROL_PLANE, '--leaseDuration', '10'], '--leaseDuration MANIFEST_CONFLICT'), /^nothing is elected in BGP mode without --services or --leaderElection with --controlplane/);
  });

  it('needs something to announce, a VIP for the control plane, and a peer', () => {
    assert.deepEqual(problems(PEERS), ['--controlplane MANIFEST_MISSING']);
    assert.deepEqual(problems(['--controlplane', ...PEERS]), ['--address MANIFEST_MISSING']);
    assert.deepEqual(problems(['--services']), ['--bgppeers MANIFEST_MISSING']);
    assert.deepEqual(problems(['--services'], 'pod'), ['--bgppeers MANIFEST_MISSING']);
    assert.deepEqual(options(['--services'], 'rbac').peers, [], 'RBAC needs no peers');
  });

  it('gives the Secret only to the --peerAddress peer, as bgp_peerpass applies to it alone', () => {
    assert.deepEqual(problems([...SERVICES, '--peer-password-secret', 'bgp-md5']), ['--peerAddress MANIFEST_MISSING']);
  });

  it('refuses what a static pod cannot have: a Secret, a service account', () => {
    assert.deepEqual(problems([...CONTROL_PLANE, '--peerAddress', '192.0.2.3', '--peer-password-secret', 'bgp-md5', '--inCluster'], 'pod'), [
      '--peer-password-secret MANIFEST_UNSUPPORTED',
      '--inCluster MANIFEST_UNSUPPORTED',
    ]);
  });

  it('refuses one router ID for every node of a DaemonSet, but takes it for a static pod', () => {
    assert.deepEqual(problems([...SERVICES, '--bgpRouterID', '198.51.100.7']), ['--bgpRouterID MANIFEST_CONFLICT']);
    assert.equal(options([...CONTROL_PLANE, '--bgpRouterID', '198.51.100.7'], 'pod').routerId, '198.51.100.7');
  });

  it('checks values: addresses, AS numbers (not 0, not AS_TRANS), ports, names, peer strings', () => {
    assert.deepEqual(problems(['--controlplane', '--address', '192.0.2.10/24,vip.example', ...PEERS]), ['--address MANIFEST_INVALID_VALUE', '--address MANIFEST_INVALID_VALUE']);
    assert.deepEqual(problems([...SERVICES, '--localAS', '23456', '--peerAS', '0']), ['--localAS MANIFEST_INVALID_VALUE', '--peerAS MANIFEST_INVALID_VALUE']);
    assert.deepEqual(problems([...SERVICES, '--admin-port', '70000', '--port', 'x']), ['--port MANIFEST_INVALID_VALUE', '--admin-port MANIFEST_INVALID_VALUE']);
    assert.deepEqual(problems([...SERVICES, '-n', 'Kube_System', '--admin-address', 'anywhere']), ['--namespace MANIFEST_INVALID_VALUE', '--admin-address MANIFEST_INVALID_VALUE']);
    assert.deepEqual(problems(['--services', '--bgppeers', '192.0.2.1:65x::false']), ['--bgppeers MANIFEST_INVALID_VALUE']);
    assert.deepEqual(problems([...SERVICES, '--k8sConfigPath', 'admin.conf', '--peer-password-secret', 'Bad_Name', '--peerAddress', '192.0.2.3']), [
      '--k8sConfigPath MANIFEST_INVALID_VALUE',
      '--peer-password-secret MANIFEST_INVALID_VALUE',
    ]);
  });

  it('needs --services for per-Service election', () => {
    assert.deepEqual(problems([...CONTROL_PLANE, '--servicesElection']), ['--servicesElection MANIFEST_CONFLICT']);
  });
});

describe('manifest flags: ARP mode (--arp)', () => {
  it("reads kube-vip's ARP command line (manifest daemonset --interface eth0 --address ... --inCluster --taint --controlplane --services --arp --leaderElection)", () => {
    const o = options(['--interface', 'eth0', '--address', '192.0.2.10', '--inCluster', '--taint', '--controlplane', '--services', '--arp', '--leaderElection']);
    assert.equal(o.mode, 'arp');
    assert.equal(o.vipInterface, 'eth0');
    assert.equal(o.address, '192.0.2.10');
    assert.equal(o.controlPlane && o.services && o.controlPlaneNodesOnly, true);
    assert.deepEqual(o.peers, []);
    assert.deepEqual(o.lease, {});
    assert.equal(options(SERVICES).mode, 'bgp', 'BGP without --arp, as kube-vip');
  });

  it('takes --leaderElection or not: vip-speaker elects in ARP mode either way', () => {
    const without = ARP_CONTROL_PLANE.filter((a) => a !== '--leaderElection');
    assert.deepEqual(buildDaemonSet(options(ARP_CONTROL_PLANE)), buildDaemonSet(options(without)));
    assert.deepEqual(buildStaticPod(options(ARP_CONTROL_PLANE, 'pod')), buildStaticPod(options(without, 'pod')));
  });

  it('refuses --bgp with --arp, naming both', () => {
    assert.equal(onlyProblem([...ARP, '--services', '--bgp'], '--bgp MANIFEST_CONFLICT'), '--bgp and --arp select different modes: give one of them');
  });

  it('refuses every BGP flag with --arp, by name, as BGP-only', () => {
    const values: Record<(typeof BGP_ONLY_FLAGS)[number], string | undefined> = {
      localAS: '65001', bgpRouterID: '198.51.100.7', bgppeers: '192.0.2.1:65000::false', peerAddress: '192.0.2.3', peerAS: '65002', multihop: undefined,
      'peer-password-secret': 'bgp-md5', sourceIF: 'eth1', sourceIP: '198.51.100.7', bgpHoldTimer: '9', bgpKeepAliveInterval: '3', 'graceful-restart': undefined, annotations: 'metal.equinix.com',
    };
    for (const kind of ['daemonset', 'pod', 'rbac'] as const) {
      for (const [flag, value] of Object.entries(values)) {
        const args = [...ARP_CONTROL_PLANE, `--${flag}`, ...(value === undefined ? [] : [value])];
        assert.match(onlyProblem(args, `--${flag} MANIFEST_CONFLICT`, kind), /^BGP-only: ARP mode has no BGP peers; the elected node puts the VIPs on --interface/, `${kind} --${flag}`);
      }
    }
    assert.match(onlyProblem([...ARP_CONTROL_PLANE, '--keep-routes-on-stop'], '--keep-routes-on-stop MANIFEST_CONFLICT'), /^BGP-only: in ARP mode a VIP left on the interface would answer beside the next holder's/);
  });

  it('refuses the ARP flags without --arp', () => {
    for (const args of [['--vipSubnet', '24'], ['--arp-rate', '3000']]) {
      assert.match(onlyProblem([...SERVICES, ...args], `${args[0]} MANIFEST_CONFLICT`), /^ARP-only \(give --arp\)/);
    }
  });

  it('needs --interface, the VIPs\' own network and not lo, for the DaemonSet and the pod (not for the RBAC)', () => {
    const noInterface = ['--arp', '--controlplane', '--address', '192.0.2.10'];
    for (const kind of ['daemonset', 'pod'] as const) {
      assert.match(onlyProblem(noInterface, '--interface MANIFEST_MISSING', kind), /^ARP mode needs the interface on the VIPs' network, .*--interface eth0/);
      assert.match(onlyProblem([...noInterface, '--interface', 'lo'], '--interface MANIFEST_INVALID_VALUE', kind), /name that interface \(--interface eth0\), not lo/);
    }
    assert.equal(options(noInterface, 'rbac').mode, 'arp');
    assert.match(onlyProblem([...noInterface, '--interface', 'eth0/1'], '--interface MANIFEST_INVALID_VALUE'), /expected an interface name \(1 to 15 characters/);
    assert.match(onlyProblem([...noInterface, '--interface', 'a-very-long-name0'], '--interface MANIFEST_INVALID_VALUE'), /1 to 15 characters/);
  });

  it('reads --vipSubnet as the daemon reads vip_subnet, without the "/" of kube-vip\'s help', () => {
    const cases: Array<[string, string]> = [['24', '24'], ['/24', '24'], ['24,64', '24,64'], [' /24 , /64 ', '24,64'], ['64', '64'], ['32', '32']];
    for (const [text, written] of cases) assert.equal(options([...ARP_CONTROL_PLANE, '--vipSubnet', text]).vipSubnet, written, text);
    for (const text of ['0', '129', '33,64', '24,0', '24,129', '24,64,96', 'x', '', '2 4']) {
      assert.match(onlyProblem([...ARP_CONTROL_PLANE, '--vipSubnet', text], '--vipSubnet MANIFEST_INVALID_VALUE'), /^expected a prefix length \(1\.\.32 for IPv4, up to 128 for IPv6\) or two/, text);
    }
    assert.match(onlyProblem([...ARP_CONTROL_PLANE, '--vipSubnet', 'auto'], '--vipSubnet MANIFEST_UNSUPPORTED'), /^"auto" \(kube-vip finds each Service's subnet/);
  });

  it('reads --arp-rate in milliseconds, 500 ms to an hour', () => {
    assert.equal(options([...ARP_CONTROL_PLANE, '--arp-rate', '3000']).arpRateMs, 3000);
    for (const text of ['499', '3600001', '1.5', 'x']) {
      assert.match(onlyProblem([...ARP_CONTROL_PLANE, '--arp-rate', text], '--arp-rate MANIFEST_INVALID_VALUE'), /^expected milliseconds between two gratuitous ARP \/ NA rounds, 500\.\.3600000/, text);
    }
    const parsed = parseManifestArgs('daemonset', [...ARP_CONTROL_PLANE, '--arpRate', '3000']);
    assert.ok(!parsed.ok);
    assert.match(parsed.error[0]!.message, /did you mean --arp-rate\?/, 'kube-vip spells the variable vip_arpRate');
  });
});

describe('manifest flags: lease timings (kube-vip\'s --leaseDuration, --leaseRenewDuration, --leaseRetry)', () => {
  const timings = ['--leaseDuration', '15', '--leaseRenewDuration', '10', '--leaseRetry', '2'];

  it('reads them in ARP mode, and in BGP mode with --services (the Service status writer\'s lease)', () => {
    assert.deepEqual(options([...ARP_CONTROL_PLANE, ...timings]).lease, { leaseDuration: 15, leaseRenewDuration: 10, leaseRetry: 2 });
    assert.deepEqual(options([...SERVICES, ...timings]).lease, { leaseDuration: 15, leaseRenewDuration: 10, leaseRetry: 2 });
    assert.deepEqual(options([...ARP_CONTROL_PLANE, '--leaseRetry', '2']).lease, { leaseRetry: 2 });
  });

  it('refuses them in BGP mode without --services, where nothing is elected', () => {
    assert.deepEqual(problems([...CONTROL_PLANE, ...timings]), ['--leaseDuration MANIFEST_CONFLICT', '--leaseRenewDuration MANIFEST_CONFLICT', '--leaseRetry MANIFEST_CONFLICT']);
    assert.match(onlyProblem([...CONTROL_PLANE, '--leaseRetry', '2'], '--leaseRetry MANIFEST_CONFLICT'), /^nothing is elected in BGP mode without --services/);
  });

  it('takes whole seconds, 1 to 3600', () => {
    for (const text of ['0', '1.5', '3601', 'x', ' 2']) {
      assert.match(onlyProblem([...ARP_CONTROL_PLANE, '--leaseRetry', text], '--leaseRetry MANIFEST_INVALID_VALUE'), /^expected whole seconds 1\.\.3600, got /, text);
    }
  });

  it('keeps client-go\'s order, lease > renew deadline > 1.2 x retry, with the defaults for those not given', () => {
    assert.match(onlyProblem([...ARP_CONTROL_PLANE, '--leaseDuration', '3'], '--leaseDuration MANIFEST_CONFLICT'), /^must be longer than --leaseRenewDuration \(3 s is not more than 3 s\)/);
    assert.match(onlyProblem([...ARP_CONTROL_PLANE, '--leaseRenewDuration', '6'], '--leaseDuration MANIFEST_CONFLICT'), /\(5 s is not more than 6 s\)/);
    assert.match(onlyProblem([...ARP_CONTROL_PLANE, '--leaseRetry', '3'], '--leaseRenewDuration MANIFEST_CONFLICT'), /^must be longer than 1\.2 x --leaseRetry \(3 s, --leaseRetry 3 s\), as client-go requires/);
    assert.match(onlyProblem([...ARP_CONTROL_PLANE, '--leaseRenewDuration', '6', '--leaseRetry', '5', '--leaseDuration', '7'], '--leaseRenewDuration MANIFEST_CONFLICT'), /6 s, --leaseRetry 5 s/);
    assert.deepEqual(options([...ARP_CONTROL_PLANE, '--leaseRenewDuration', '4']).lease, { leaseRenewDuration: 4 });
  });

  it("has the daemon's defaults and client-go's jitter factor", () => {
    assert.deepEqual(LEASE_DEFAULTS, { leaseDuration: KUBE_VIP_ELECTION_DEFAULTS.leaseDurationSeconds, leaseRenewDuration: KUBE_VIP_ELECTION_DEFAULTS.renewDeadlineSeconds, leaseRetry: KUBE_VIP_ELECTION_DEFAULTS.retryPeriodSeconds });
    assert.equal(LEASE_JITTER_FACTOR, JITTER_FACTOR);
  });
});
