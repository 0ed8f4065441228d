// The flags of `vip-speaker manifest`: kube-vip's names carry over; what cannot work is refused
// with a stable code and a reason; a password never reaches a manifest or a message.
import { strict as assert } from 'node:assert';
import { DEFAULT_IMAGE, parseManifestArgs } from '../../../src/manifest/index.js';
import { VERSION } from '../../../src/version.js';
import { CONTROL_PLANE, PEERS, SERVICES, options, problems } from './helpers.js';

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
    assert.deepEqual(problems([...SERVICES, '--arp', '--leaderElection', '--enableLoadBalancer', '--prometheusHTTPServer', ':2112']), [
      '--arp MANIFEST_UNSUPPORTED',
      '--leaderElection MANIFEST_UNSUPPORTED',
      '--enableLoadBalancer MANIFEST_UNSUPPORTED',
      '--prometheusHTTPServer MANIFEST_UNSUPPORTED',
    ]);
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
