// The kube-vip variables of the Kubernetes side, read into the configuration: each one lands on
// the key kube-vip.ts's table names, parsed as kube-vip parses it. What each key then does is
// tested where it acts (test/src/kubernetes/kube-vip-settings.test.ts and the daemon tests).
import { strict as assert } from 'node:assert';
import { configFromEnv, formatErrors, type DaemonConfig } from '../../../src/config/index.js';
import { fakeHost } from './helpers.js';

const BGP = { bgp_enable: 'true', bgp_as: '65010', bgp_routerid: '198.51.100.7', bgp_peers: '192.0.2.1:65001::false', svc_enable: 'true' };
const ARP = { vip_arp: 'true', vip_leaderelection: 'true', vip_interface: 'eth0', svc_enable: 'true' };

function fromEnv(env: Record<string, string>): DaemonConfig {
  const r = configFromEnv(fakeHost({ env }));
  if (!r.ok) throw new Error(formatErrors(r.error).join('\n'));
  return r.value;
}

function errors(env: Record<string, string>): string[] {
  const r = configFromEnv(fakeHost({ env }));
  if (r.ok) throw new Error('expected errors');
  return formatErrors(r.error);
}

describe('kube-vip environment: the Kubernetes-side variables', () => {
  it('disable_service_updates=true turns the Service status (and vipHost) off', () => {
    assert.equal(fromEnv({ ...BGP, disable_service_updates: 'true' }).kubernetes.writeServiceStatus, false);
    assert.equal(fromEnv({ ...BGP, disable_service_updates: 'false' }).kubernetes.writeServiceStatus, undefined);
    assert.deepEqual(errors({ ...BGP, disable_service_updates: 'yes' }), ['disable_service_updates: expected a boolean as Go\'s strconv.ParseBool reads it (true, false, 1, 0, ...), got "yes"']);
  });

  it('vip_leasename, svc_leasename and svc_namespace name the leases and the Services\' namespace', () => {
    const k = fromEnv({ ...BGP, vip_leasename: 'kube-vip/cp-lock', svc_leasename: 'svcs', svc_namespace: 'shop' }).kubernetes;
    assert.deepEqual([k.controlPlaneLease, k.servicesLease, k.servicesNamespace, k.namespaceFromPod], ['kube-vip/cp-lock', 'svcs', 'shop', true]);
    assert.match(errors({ ...BGP, vip_leasename: 'a/b/c' }).join('\n'), /^vip_leasename: expected a Lease name, .*more than one "\/"/);
    assert.match(errors({ ...BGP, svc_namespace: 'Shop' }).join('\n'), /^svc_namespace: expected a namespace/);
  });

  it('reads svc_namespace and svc_leasename only with svc_enable set, as kube-vip does', () => {
    const { svc_enable: _, ...noServices } = BGP;
    const k = fromEnv({ ...noServices, cp_enable: 'true', address: '192.0.2.10', svc_namespace: 'shop', svc_leasename: 'svcs' }).kubernetes;
    assert.deepEqual([k.servicesNamespace, k.servicesLease], [undefined, undefined]);
  });

  it('kubernetes_addr replaces the API server address; a bare host:port means https', () => {
    assert.equal(fromEnv({ ...BGP, kubernetes_addr: 'https://127.0.0.1:6443' }).kubernetes.apiServerAddress, 'https://127.0.0.1:6443');
    assert.equal(fromEnv({ ...BGP, kubernetes_addr: 'kubernetes:6443' }).kubernetes.apiServerAddress, 'https://kubernetes:6443');
    assert.match(errors({ ...BGP, kubernetes_addr: 'ftp://x' }).join('\n'), /^kubernetes_addr: expected the API server's address/);
  });

  it('the control-plane health check: its address brings kube-vip\'s defaults (5 s, 3 s, 3 failures); set alone, a knob tunes the /livez probe', () => {
    const cp = { ...BGP, cp_enable: 'true', address: '192.0.2.10' };
    const withUrl = fromEnv({ ...cp, control_plane_health_check_address: 'https://127.0.0.1:6443/livez', control_plane_health_check_ca_path: '/etc/kubernetes/pki/ca.crt' }).kubernetes;
    assert.deepEqual(
      [withUrl.controlPlaneCheckUrl, withUrl.controlPlaneCheckInterval, withUrl.controlPlaneCheckTimeout, withUrl.controlPlaneCheckFailureThreshold, withUrl.controlPlaneCheckCaFile],
      ['https://127.0.0.1:6443/livez', 5, 3, 3, '/etc/kubernetes/pki/ca.crt'],
    );
    const tuned = fromEnv({ ...cp, control_plane_health_check_period_seconds: '2', control_plane_health_check_failure_threshold: '5' }).kubernetes;
    assert.deepEqual([tuned.controlPlaneCheckUrl, tuned.controlPlaneCheckInterval, tuned.controlPlaneCheckTimeout, tuned.controlPlaneCheckFailureThreshold], [undefined, 2, undefined, 5]);
    assert.match(errors({ ...cp, control_plane_health_check_period_seconds: '2', control_plane_health_check_timeout_seconds: '3' }).join('\n'), /^control_plane_health_check_timeout_seconds: must be at most controlPlaneCheckInterval \(2 s\)/);
    assert.match(errors({ ...cp, control_plane_health_check_period_seconds: 'five' }).join('\n'), /^control_plane_health_check_period_seconds: expected a whole number/);
  });

  it('health_check_port opens the /healthz listener; under 1024 is refused, as kube-vip refuses it', () => {
    assert.equal(fromEnv({ ...BGP, health_check_port: '8081' }).admin.healthPort, 8081);
    assert.deepEqual(fromEnv({ ...BGP, health_check_port: '8081', prometheus_server: ':2112' }).admin, { address: '::', port: 2112, healthPort: 8081 });
    assert.deepEqual(errors({ ...BGP, health_check_port: '80' }), ['health_check_port: expected a port of at least 1024, as kube-vip requires, got 80']);
  });

  it('enable_node_labeling turns the has-ip label on', () => {
    assert.equal(fromEnv({ ...BGP, enable_node_labeling: 'true' }).kubernetes.labelNode, true);
  });

  it('VIP_SPEAKER_WITHDRAW_WHEN_CORDONED asks for drain on cordon; the exclude label is honoured unless VIP_SPEAKER_WITHDRAW_WHEN_EXCLUDED=false', () => {
    const k = fromEnv({ ...BGP, VIP_SPEAKER_WITHDRAW_WHEN_CORDONED: 'true' }).kubernetes;
    assert.deepEqual([k.withdrawWhenCordoned, k.withdrawWhenExcluded], [true, undefined]);
    // kubeadm labels every control-plane node so: VIP_SPEAKER_WITHDRAW_WHEN_EXCLUDED=false keeps kube-vip's behaviour.
    assert.equal(fromEnv({ ...BGP, VIP_SPEAKER_WITHDRAW_WHEN_EXCLUDED: 'false' }).kubernetes.withdrawWhenExcluded, false);
  });

  it('Service VIPs go on vip_servicesinterface in ARP mode; BGP mode only with bgp_attach_ip_to_interface', () => {
    assert.equal(fromEnv({ ...ARP, vip_servicesinterface: 'eth1' }).kubernetes.servicesInterface, 'eth1');
    assert.equal(fromEnv({ ...ARP }).kubernetes.servicesInterface, undefined, 'ARP: vipInterface by default');
    assert.equal(fromEnv({ ...BGP, vip_servicesinterface: 'eth1' }).kubernetes.servicesInterface, undefined, 'BGP without attach: lo');
    assert.equal(fromEnv({ ...BGP, vip_servicesinterface: 'eth1', bgp_attach_ip_to_interface: 'true' }).kubernetes.servicesInterface, 'eth1');
    assert.equal(fromEnv({ ...BGP, vip_interface: 'lo', bgp_attach_ip_to_interface: 'true' }).kubernetes.servicesInterface, 'lo');
    assert.match(errors({ ...ARP, vip_servicesinterface: 'auto' }).join('\n'), /^vip_servicesinterface: not supported: "auto"/);
  });
});

describe('config file: the same keys', () => {
  it('reads lease names with a namespace, and refuses a namespace that is no DNS label', async () => {
    const { parseConfig } = await import('../../../src/config/index.js');
    const ok = parseConfig('mode: arp\nvipInterface: eth0\nvips: []\nkubernetes: { services: true, controlPlaneLease: "ops/cp", servicesLease: svcs, writeServiceStatus: false, labelNode: true, withdrawWhenExcluded: false, withdrawWhenCordoned: true }\n', fakeHost());
    assert.ok(ok.ok, ok.ok ? '' : formatErrors(ok.error).join('\n'));
    const k = ok.value.kubernetes;
    assert.deepEqual([k.controlPlaneLease, k.servicesLease, k.writeServiceStatus, k.labelNode, k.withdrawWhenExcluded, k.withdrawWhenCordoned], ['ops/cp', 'svcs', false, true, false, true]);
    const bad = parseConfig('mode: arp\nvipInterface: eth0\nvips: []\nkubernetes: { controlPlaneLease: "Ops/cp" }\n', fakeHost());
    assert.ok(!bad.ok);
    assert.match(formatErrors(bad.error).join('\n'), /kubernetes\.controlPlaneLease: expected a namespace/);
  });
});
