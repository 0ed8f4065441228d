// kube-vip's environment variables: a kube-vip BGP manifest's env block runs vip-speaker unchanged.
import { strict as assert } from 'node:assert';
import { configFromEnv, formatErrors, type DaemonConfig } from '../../../src/config/index.js';
import { fakeHost } from './helpers.js';

/** The env block of a kube-vip DaemonSet in BGP mode, with documentation addresses. */
const KUBE_VIP_BGP: Record<string, string> = {
  vip_arp: 'false',
  port: '6443',
  vip_interface: 'lo',
  vip_cidr: '32',
  cp_enable: 'true',
  cp_namespace: 'kube-system',
  svc_enable: 'true',
  vip_leaderelection: 'false',
  bgp_enable: 'true',
  bgp_routerid: '198.51.100.7',
  bgp_as: '65010',
  bgp_peers: '192.0.2.1:65001::false,192.0.2.2:65001::false',
  address: '192.0.2.10',
  prometheus_server: ':2112',
};

function fromEnv(env: Record<string, string>): DaemonConfig {
  const result = configFromEnv(fakeHost({ env }));
  if (!result.ok) throw new Error(`expected a valid config, got:\n${formatErrors(result.error).join('\n')}`);
  return result.value;
}

function envErrors(env: Record<string, string>): string[] {
  const result = configFromEnv(fakeHost({ env }));
  if (result.ok) throw new Error('expected errors');
  return formatErrors(result.error);
}

describe('kube-vip environment: a BGP manifest', () => {
  const config = fromEnv(KUBE_VIP_BGP);

  it('runs in bgp mode with the node AS and router id', () => {
    assert.equal(config.mode, 'bgp');
    assert.deepEqual(config.node, { asn: 65010, routerId: '198.51.100.7', routerIdSource: 'config' });
  });

  it('reads every peer of bgp_peers', () => {
    assert.deepEqual(config.peers.map((p) => [p.address, p.asn, p.port, p.multihop]), [['192.0.2.1', 65001, 179, false], ['192.0.2.2', 65001, 179, false]]);
  });

  it('announces the control-plane address on lo', () => {
    assert.deepEqual(config.vips, { interface: 'lo', static: [{ address: '192.0.2.10/32', communities: [], largeCommunities: [] }], placement: 'auto' });
  });

  it('serves the admin endpoint where kube-vip served its metrics', () => {
    assert.deepEqual(config.admin, { address: '::', port: 2112 });
  });

  it('runs with kube-vip\'s behaviour: no listener, no graceful restart, timers 30/10/10', () => {
    assert.equal(config.listen, null);
    assert.equal(config.gracefulRestart.enabled, false);
    assert.deepEqual(config.timers, { holdTime: 30, keepaliveTime: 10, connectRetryTime: 10 });
  });

  it('enables Kubernetes with the control plane and services', () => {
    // namespaceFromPod: the Leases go where kube-vip's went, in the pod's own namespace.
    assert.deepEqual(config.kubernetes, { enabled: true, controlPlane: true, services: true, apiServerPort: 6443, namespaceFromPod: true });
  });
});

describe('kube-vip environment: each variable', () => {
  const base = { bgp_enable: 'true', bgp_routerid: '198.51.100.7', svc_enable: 'true', bgp_peers: '192.0.2.1:65001' };

  it('defaults the node AS and the peer AS to 65000, as kube-vip\'s flags do', () => {
    const config = fromEnv({ bgp_enable: 'true', bgp_routerid: '198.51.100.7', svc_enable: 'true', bgp_peeraddress: '192.0.2.5' });
    assert.deepEqual([config.node.asn, config.peers[0]!.asn], [65000, 65000]);
  });

  it('appends the bgp_peeraddress peer after those of bgp_peers, with its password and multihop', () => {
    const config = fromEnv({ ...base, bgp_peeraddress: '2001:db8::5', bgp_peeras: '65005', bgp_peerpass: 'hunter2', bgp_multihop: 'T' });
    const last = config.peers[1]!;
    assert.deepEqual([last.address, last.asn, last.password, last.multihop, last.ttl], ['2001:db8::5', 65005, 'hunter2', true, 50]);
  });

  it('gives bgp_sourceip and bgp_sourceif to every peer', () => {
    const config = fromEnv({ ...base, bgp_peeraddress: '192.0.2.5', bgp_sourceip: '198.51.100.7', bgp_sourceif: 'eth0' });
    for (const peer of config.peers) assert.deepEqual([peer.sourceAddress, peer.sourceInterface], ['198.51.100.7', 'eth0']);
  });

  it('reads the timers', () => {
    assert.deepEqual(fromEnv({ ...base, bgp_hold_time: '90', bgp_keepalive_interval: '30' }).timers, { holdTime: 90, keepaliveTime: 30, connectRetryTime: 10 });
  });

  it('keeps kube-vip\'s keepalive of 10 with a hold time alone, unless that is more than a third of it', () => {
    assert.equal(fromEnv({ ...base, bgp_hold_time: '90' }).timers.keepaliveTime, 10);
    assert.equal(fromEnv({ ...base, bgp_hold_time: '9' }).timers.keepaliveTime, 3);
    assert.equal(fromEnv({ ...base, bgp_hold_time: '0' }).timers.keepaliveTime, 0);
  });

  it('takes the router id from bgp_routerinterface, and lets bgp_routerid win over it as kube-vip does', () => {
    const { bgp_routerid: _, ...withoutId } = base;
    assert.deepEqual(fromEnv({ ...withoutId, bgp_routerinterface: 'eth0' }).node.routerIdSource, 'interface');
    assert.deepEqual(fromEnv({ ...base, bgp_routerinterface: 'eth9' }).node.routerId, '198.51.100.7');
  });

  it('switches to arp mode with vip_arp, and lets bgp_enable win when both are on', () => {
    assert.equal(fromEnv({ vip_arp: 'true', vip_interface: 'eth0', bgp_routerid: '198.51.100.7', svc_enable: 'true' }).mode, 'arp');
    assert.equal(fromEnv({ ...base, vip_arp: 'true' }).mode, 'bgp');
  });

  it('reads a comma-separated address, trimming spaces and allowing /32 and /128', () => {
    const config = fromEnv({ ...base, cp_enable: 'true', address: '192.0.2.10, 2001:db8::10/128 ,192.0.2.11/32' });
    assert.deepEqual(config.vips.static.map((v) => v.address), ['192.0.2.10/32', '2001:db8::10/128', '192.0.2.11/32']);
  });

  it('falls back to the deprecated vip_address', () => {
    assert.deepEqual(fromEnv({ ...base, cp_enable: 'true', vip_address: '192.0.2.10' }).vips.static.map((v) => v.address), ['192.0.2.10/32']);
  });

  it('ignores address without cp_enable, as kube-vip does', () => {
    assert.deepEqual(fromEnv({ ...base, address: '192.0.2.10' }).vips.static, []);
  });

  it('accepts vip_cidr and vip_subnet of host lengths', () => {
    fromEnv({ ...base, cp_enable: 'true', address: '192.0.2.10,2001:db8::10', vip_subnet: '32,128', vip_cidr: '32' });
  });

  it('maps vip_loglevel from log/slog levels', () => {
    const levels = ['-4', '0', '4', '8'].map((l) => fromEnv({ ...base, vip_loglevel: l }).log.level);
    assert.deepEqual(levels, ['debug', 'info', 'warn', 'error']);
  });

  it('reads the MP-BGP variables as defaults for every peer', () => {
    const config = fromEnv({ ...base, mpbgp_nexthop: 'fixed', mpbgp_ipv6: '2001:db8::7' });
    assert.deepEqual(config.peers[0]!.mpbgp, { nexthop: 'fixed', ipv6: '2001:db8::7' });
  });

  it('reads k8s_config_file and port into the Kubernetes settings', () => {
    const k = fromEnv({ ...base, k8s_config_file: '/etc/kubernetes/admin.conf', port: '8443' }).kubernetes;
    assert.deepEqual([k.kubeconfig, k.apiServerPort], ['/etc/kubernetes/admin.conf', 8443]);
  });

  it('treats a variable set to "" as unset, as kube-vip does', () => {
    assert.equal(fromEnv({ ...base, bgp_as: '', bgp_hold_time: '' }).node.asn, 65000);
  });
});

describe('kube-vip environment: errors name the variable', () => {
  const base = { bgp_enable: 'true', bgp_routerid: '198.51.100.7', svc_enable: 'true', bgp_peers: '192.0.2.1:65001' };

  it('names bgp_as', () => {
    assert.deepEqual(envErrors({ ...base, bgp_as: '65x' }), ['bgp_as: expected an AS number 1..4294967295, got "65x"']);
  });

  it('names the entry of bgp_peers', () => {
    assert.deepEqual(envErrors({ ...base, bgp_peers: '192.0.2.1:65001,,192.0.2.2:65x' }), ['bgp_peers[2]: AS field: expected an AS number 1..4294967295, got "65x"']);
  });

  it('names a repeated entry of bgp_peers and the first one', () => {
    assert.deepEqual(envErrors({ ...base, bgp_peers: '192.0.2.1:65001,192.0.2.1:65002' }), ['bgp_peers[1]: peer 192.0.2.1 is listed twice (also bgp_peers[0])']);
  });

  it('says that a "," in a password cannot be written in bgp_peers, without showing it', () => {
    const lines = envErrors({ ...base, bgp_peers: '192.0.2.1:65001:pa,ss:false' });
    assert.deepEqual(lines, ['bgp_peers[1]: does not start with a peer address; if the password of bgp_peers[0] contains ",", the peer string cannot express it: use the object form (address, asn, password) in a config file']);
  });

  it('reads booleans with Go\'s strconv.ParseBool', () => {
    assert.match(envErrors({ ...base, bgp_enable: 'yes' })[0]!, /^bgp_enable: expected a boolean as Go's strconv.ParseBool reads it .*got "yes"/);
    assert.match(envErrors({ ...base, bgp_peeraddress: '192.0.2.5', bgp_multihop: 'maybe' })[0]!, /^bgp_multihop: expected a boolean/);
  });

  it('names the bgp_peeraddress variables', () => {
    assert.deepEqual(envErrors({ ...base, bgp_peeraddress: '192.0.2.300' }), ['bgp_peeraddress: "192.0.2.300" is not an IP address']);
    assert.match(envErrors({ ...base, bgp_peeraddress: '192.0.2.5', bgp_peeras: '0' })[0]!, /^bgp_peeras: expected an AS number/);
  });

  it('checks bgp_multihop and bgp_peeras even without bgp_peeraddress, as kube-vip does', () => {
    assert.match(envErrors({ ...base, bgp_multihop: 'sometimes' })[0]!, /^bgp_multihop: expected a boolean/);
    assert.deepEqual(envErrors({ ...base, bgp_peeras: 'x' }), ['bgp_peeras: expected an AS number 1..4294967295, got "x"']);
  });

  it('names the timers', () => {
    assert.match(envErrors({ ...base, bgp_hold_time: '2' })[0]!, /^bgp_hold_time: expected a hold time of 0 or at least 3 seconds/);
    assert.match(envErrors({ ...base, bgp_keepalive_interval: '20' })[0]!, /^bgp_keepalive_interval: expected at most a third of the hold time \(30 \/ 3 = 10\), got 20/);
  });

  it('names the router id variables in messages too', () => {
    const { bgp_routerid: _, ...withoutId } = base;
    assert.deepEqual(envErrors({ ...withoutId, bgp_routerinterface: 'eth1' }), ['bgp_routerinterface: interface eth1 has no IPv4 address (other than loopback) to use as the router id: set bgp_routerid']);
  });

  it('needs bgp_enable or vip_arp', () => {
    assert.deepEqual(envErrors({ bgp_peers: '192.0.2.1:65001', svc_enable: 'true', bgp_routerid: '198.51.100.7' }), [
      'bgp_enable: neither bgp_enable nor vip_arp is true: set bgp_enable=true (or give a config file)',
    ]);
  });

  it('needs cp_enable or svc_enable, as kube-vip does', () => {
    const { svc_enable: _, ...rest } = base;
    assert.deepEqual(envErrors(rest), ['cp_enable: neither cp_enable nor svc_enable is true: nothing to announce (kube-vip stops with "no features are enabled" the same way)']);
  });

  it('needs an address with cp_enable', () => {
    assert.match(envErrors({ ...base, cp_enable: 'true' })[0]!, /^address: missing: cp_enable is true, but neither address nor vip_address gives the control-plane VIP/);
  });

  it('refuses differing address and vip_address', () => {
    assert.match(envErrors({ ...base, cp_enable: 'true', address: '192.0.2.10', vip_address: '192.0.2.11' })[0]!, /^address: address and vip_address are both set and differ/);
  });

  it('names the entry of address that is wrong', () => {
    assert.deepEqual(envErrors({ ...base, cp_enable: 'true', address: '192.0.2.10,192.0.2.300' }), ['address[1]: "192.0.2.300" is not an IP address']);
    assert.deepEqual(envErrors({ ...base, cp_enable: 'true', address: 'k8s.example.com' }), ['address[0]: "k8s.example.com" is a DNS name: kube-vip resolves it, vip-speaker takes IP addresses only']);
  });

  it('refuses subnets other than host routes', () => {
    assert.deepEqual(envErrors({ ...base, vip_subnet: '24' }), ['vip_subnet: vip-speaker announces host routes only (32 for IPv4, 128 for IPv6), got "24"']);
    assert.match(envErrors({ ...base, vip_cidr: 'auto' })[0]!, /^vip_cidr: vip-speaker announces host routes only/);
  });

  it('names prometheus_server, vip_loglevel and port', () => {
    assert.match(envErrors({ ...base, prometheus_server: 'metrics.example:2112' })[0]!, /^prometheus_server: expected host:port with an IP address/);
    assert.match(envErrors({ ...base, vip_loglevel: 'debug' })[0]!, /^vip_loglevel: expected an integer log level/);
    assert.match(envErrors({ ...base, port: '70000' })[0]!, /^port: expected a TCP port 1\.\.65535, got "70000"/);
  });

  it('says what to do when nothing is configured at all', () => {
    assert.deepEqual(envErrors({ HOME: '/root' }), ["no configuration: give a config file, or kube-vip's environment variables (bgp_enable=true, bgp_as, bgp_peers, address, ...)"]);
  });
});

describe('kube-vip environment: elections in BGP mode, and graceful restart', () => {
  const base = { bgp_enable: 'true', bgp_routerid: '198.51.100.7', bgp_peers: '192.0.2.1:65001' };

  it('elects the control-plane VIP\'s announcer with vip_leaderelection and cp_enable, as kube-vip\'s StartCluster', () => {
    const config = fromEnv({ ...base, cp_enable: 'true', address: '192.0.2.10', vip_leaderelection: 'true' });
    assert.equal(config.kubernetes.leaderElection, true);
    assert.equal(fromEnv({ ...base, cp_enable: 'true', address: '192.0.2.10', vip_leaderelection: 'false' }).kubernetes.leaderElection, undefined);
  });

  it('elects nothing with vip_leaderelection but without cp_enable, as kube-vip\'s BGP mode does', () => {
    assert.equal(fromEnv({ ...base, svc_enable: 'true', vip_leaderelection: 'true' }).kubernetes.leaderElection, undefined);
  });

  it('keeps svc_election for per-Service announcers', () => {
    assert.equal(fromEnv({ ...base, svc_enable: 'true', svc_election: 'true' }).kubernetes.servicesElection, true);
  });

  it('turns graceful restart on with VIP_SPEAKER_GRACEFUL_RESTART, with the restart time of VIP_SPEAKER_GRACEFUL_RESTART_TIME', () => {
    assert.deepEqual(fromEnv({ ...base, svc_enable: 'true', VIP_SPEAKER_GRACEFUL_RESTART: 'true' }).gracefulRestart, { enabled: true, restartTime: 120 });
    assert.deepEqual(fromEnv({ ...base, svc_enable: 'true', VIP_SPEAKER_GRACEFUL_RESTART: 'true', VIP_SPEAKER_GRACEFUL_RESTART_TIME: '300' }).gracefulRestart, { enabled: true, restartTime: 300 });
    assert.deepEqual(fromEnv({ ...base, svc_enable: 'true', VIP_SPEAKER_GRACEFUL_RESTART: 'false' }).gracefulRestart.enabled, false);
  });

  it('names the graceful-restart variables in their errors', () => {
    assert.match(envErrors({ ...base, svc_enable: 'true', VIP_SPEAKER_GRACEFUL_RESTART: 'yes' })[0]!, /^VIP_SPEAKER_GRACEFUL_RESTART: expected a boolean/);
    assert.match(envErrors({ ...base, svc_enable: 'true', VIP_SPEAKER_GRACEFUL_RESTART: 'true', VIP_SPEAKER_GRACEFUL_RESTART_TIME: '5000' })[0]!, /^VIP_SPEAKER_GRACEFUL_RESTART_TIME: expected a restart time in seconds 0\.\.4095, got "5000"/);
    assert.match(envErrors({ ...base, svc_enable: 'true', VIP_SPEAKER_GRACEFUL_RESTART_TIME: '300' })[0]!, /^VIP_SPEAKER_GRACEFUL_RESTART_TIME: is set, but VIP_SPEAKER_GRACEFUL_RESTART is not true/);
  });
});
