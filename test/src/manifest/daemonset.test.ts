// The DaemonSet and the container it shares with the static pod: least privilege, probes that
// reach the admin endpoint where it listens, placement, and an env block the daemon accepts.
import { strict as assert } from 'node:assert';
import { arpDefaults, configFromEnv, formatErrors, type InterfaceTable } from '../../../src/config/index.js';
import { buildDaemonSet, parseManifestArgs, renderManifest, TERMINATION_GRACE_SECONDS } from '../../../src/manifest/index.js';
import { fakeHost } from '../config/helpers.js';
import { ARP, ARP_CONTROL_PLANE, CONTROL_PLANE, SERVICES, container, options, resolveEnv } from './helpers.js';

function env(args: string[]): Record<string, string> {
  return resolveEnv(container(args).env ?? [], { secrets: { 'bgp-md5/password': 's3cret' } });
}

/**
 * A node with its VIP interface eth0 and a second IPv4 interface. The daemon still takes a BGP
 * router ID in ARP mode, and never from the VIP interface: see the pending test below.
 */
const ARP_NODE: InterfaceTable = {
  lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
  eth0: [{ address: '198.51.100.7', family: 'IPv4', internal: false }],
  eth1: [{ address: '203.0.113.7', family: 'IPv4', internal: false }],
};

function daemonConfig(variables: Record<string, string>, interfaces?: InterfaceTable) {
  const result = configFromEnv(fakeHost({ env: variables, ...(interfaces ? { interfaces } : {}) }));
  if (!result.ok) throw new Error(`the daemon refuses the manifest's env:\n${formatErrors(result.error).join('\n')}`);
  return result.value;
}

describe('manifest daemonset: the pod', () => {
  const spec = buildDaemonSet(options(SERVICES)).spec!;
  const pod = spec.template.spec!;

  it('runs in the host network namespace with the cluster DNS, under its service account', () => {
    assert.equal(pod.hostNetwork, true);
    assert.equal(pod.dnsPolicy, 'ClusterFirstWithHostNet');
    assert.equal(pod.serviceAccountName, 'vip-speaker');
  });

  it('runs as root with NET_ADMIN and NET_RAW only: no escalation, read-only root, RuntimeDefault seccomp', () => {
    assert.deepEqual(pod.containers[0]!.securityContext, {
      runAsUser: 0,
      runAsGroup: 0,
      runAsNonRoot: false,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('leaves room for the bounded stop (10 s) with no preStop hook', () => {
    assert.ok(pod.terminationGracePeriodSeconds! >= 10 + 15, `grace ${pod.terminationGracePeriodSeconds}`);
    assert.equal(pod.terminationGracePeriodSeconds, TERMINATION_GRACE_SECONDS);
    assert.equal(pod.containers[0]!.lifecycle, undefined);
  });

  it('updates one node at a time, never two speakers on one node', () => {
    assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  });

  it('asks for resources and bounds memory', () => {
    const resources = pod.containers[0]!.resources!;
    assert.ok(resources.requests?.cpu && resources.requests.memory && resources.limits?.memory);
  });

  it('selects its pods by labels that do not change with the version', () => {
    assert.deepEqual(spec.selector.matchLabels, { 'app.kubernetes.io/name': 'vip-speaker', 'app.kubernetes.io/component': 'speaker' });
    for (const [key, value] of Object.entries(spec.selector.matchLabels!)) assert.equal(spec.template.metadata!.labels![key], value);
  });
});

describe('manifest daemonset: placement', () => {
  it('puts Service speakers on every Linux node, control-plane nodes tolerated only with --taint, in both modes', () => {
    for (const args of [SERVICES, [...ARP, '--services']]) {
      const pod = buildDaemonSet(options(args)).spec!.template.spec!;
      assert.equal(pod.affinity, undefined);
      assert.equal(pod.tolerations, undefined);
      assert.deepEqual(pod.nodeSelector, { 'kubernetes.io/os': 'linux' });
      assert.ok(buildDaemonSet(options([...args, '--taint'])).spec!.template.spec!.affinity);
    }
  });

  it('puts control-plane speakers on control-plane nodes only (either role label), tolerating every taint there, as kube-vip\'s --taint, in both modes', () => {
    for (const args of [CONTROL_PLANE, [...CONTROL_PLANE, '--services'], ARP_CONTROL_PLANE, [...ARP_CONTROL_PLANE, '--services']]) {
      const pod = buildDaemonSet(options(args)).spec!.template.spec!;
      const terms = pod.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms;
      assert.deepEqual(terms.map((t) => t.matchExpressions), [
        [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }],
        [{ key: 'node-role.kubernetes.io/master', operator: 'Exists' }],
      ]);
      // The role taints, K3s's CriticalAddonsOnly=true:NoExecute, a cloud provider's uninitialized.
      assert.deepEqual(pod.tolerations, [
        { operator: 'Exists', effect: 'NoSchedule' },
        { operator: 'Exists', effect: 'NoExecute' },
      ]);
    }
  });
});

describe('manifest daemonset: probes reach the admin endpoint where it listens', () => {
  it('by default: on loopback, which the kubelet shares with a hostNetwork pod', () => {
    const c = container(SERVICES);
    assert.equal(env(SERVICES).prometheus_server, '127.0.0.1:9469');
    assert.deepEqual(c.livenessProbe!.httpGet, { host: '127.0.0.1', path: '/healthz', port: 9469, scheme: 'HTTP' });
    assert.deepEqual(c.readinessProbe!.httpGet, { host: '127.0.0.1', path: '/readyz', port: 9469, scheme: 'HTTP' });
    assert.deepEqual(daemonConfig(env(SERVICES)).admin, { address: '127.0.0.1', port: 9469 });
  });

  it("with --admin-address node: on the node's IP from the downward API, probed at the pod IP", () => {
    const args = [...SERVICES, '--admin-address', 'node', '--admin-port', '9470'];
    const c = container(args);
    const names = c.env!.map((v) => v.name);
    assert.ok(names.indexOf('VIP_SPEAKER_NODE_IP') < names.indexOf('prometheus_server'), 'a $(VAR) reference needs the variable defined before it');
    assert.equal(c.livenessProbe!.httpGet!.host, undefined);
    assert.equal(c.livenessProbe!.httpGet!.port, 9470);
    assert.deepEqual(daemonConfig(env(args)).admin, { address: '198.51.100.7', port: 9470 });
    const v6 = resolveEnv(c.env!, { hostIP: '2001:db8:1::7' });
    assert.deepEqual(daemonConfig(v6).admin, { address: '2001:db8:1::7', port: 9470 });
  });

  it('with an address: there, and on loopback for an unspecified one', () => {
    assert.equal(container([...SERVICES, '--admin-address', '198.51.100.7']).livenessProbe!.httpGet!.host, '198.51.100.7');
    assert.equal(container([...SERVICES, '--admin-address', '::']).readinessProbe!.httpGet!.host, '127.0.0.1');
    assert.equal(env([...SERVICES, '--admin-address', '::']).prometheus_server, '[::]:9469');
  });
});

describe('manifest daemonset: the env block', () => {
  it('is accepted by the daemon: Services, with the peers and AS given', () => {
    const config = daemonConfig(env(SERVICES));
    assert.equal(config.mode, 'bgp');
    assert.equal(config.node.asn, 65010);
    assert.deepEqual(config.peers.map((p) => `${p.address} ${p.asn}`), ['192.0.2.1 65001', '192.0.2.2 65001']);
    assert.equal(config.kubernetes.services, true);
  });

  it('is accepted by the daemon: the control-plane VIP, a peer with its password from the Secret', () => {
    const args = [...CONTROL_PLANE, '--peerAddress', '2001:db8::1', '--peerAS', '65002', '--multihop', '--peer-password-secret', 'bgp-md5'];
    const config = daemonConfig(env(args));
    assert.deepEqual(config.vips.static.map((v) => v.address), ['192.0.2.10/32']);
    assert.equal(config.kubernetes.controlPlane, true);
    const peer = config.peers.find((p) => p.address === '2001:db8::1')!;
    assert.equal(peer.asn, 65002);
    assert.equal(peer.multihop, true);
    assert.equal(peer.password, 's3cret');
  });

  it('never holds a password: the Secret is referenced, and nothing in the YAML is the secret', () => {
    const o = options([...SERVICES, '--peerAddress', '192.0.2.3', '--peer-password-secret', 'bgp-md5:tor']);
    const c = buildDaemonSet(o).spec!.template.spec!.containers[0]!;
    assert.deepEqual(c.env!.find((v) => v.name === 'bgp_peerpass'), { name: 'bgp_peerpass', valueFrom: { secretKeyRef: { name: 'bgp-md5', key: 'tor' } } });
    assert.match(renderManifest('daemonset', o, []), /kubectl -n kube-system create secret generic bgp-md5 --from-file=tor=PASSWORD_FILE/);
  });

  it('runs `run`, with --keep-routes-on-stop when asked', () => {
    assert.deepEqual(container(SERVICES).args, ['run']);
    assert.deepEqual(container([...SERVICES, '--keep-routes-on-stop']).args, ['run', '--keep-routes-on-stop']);
  });
});

describe('manifest daemonset --arp: the env block', () => {
  const everything = [...ARP_CONTROL_PLANE, '--services', '--servicesElection', '--leaseDuration', '15', '--leaseRenewDuration', '10', '--leaseRetry', '2', '--vipSubnet', '24,64', '--arp-rate', '3000'];

  it('is exactly kube-vip\'s ARP variables, and no BGP one', () => {
    assert.deepEqual(container(everything).env, [
      { name: 'vip_nodename', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'cp_namespace', value: 'kube-system' },
      { name: 'vip_interface', value: 'eth0' },
      { name: 'cp_enable', value: 'true' },
      { name: 'address', value: '192.0.2.10' },
      { name: 'port', value: '6443' },
      { name: 'svc_enable', value: 'true' },
      { name: 'svc_election', value: 'true' },
      { name: 'vip_leaseduration', value: '15' },
      { name: 'vip_renewdeadline', value: '10' },
      { name: 'vip_retryperiod', value: '2' },
      { name: 'vip_arp', value: 'true' },
      { name: 'vip_leaderelection', value: 'true' },
      { name: 'vip_subnet', value: '24,64' },
      { name: 'vip_arpRate', value: '3000' },
      { name: 'prometheus_server', value: '127.0.0.1:9469' },
    ]);
  });

  it('is the least that says ARP mode with election when nothing else is given', () => {
    assert.deepEqual(env([...ARP, '--services']), {
      vip_nodename: 'node-1',
      cp_namespace: 'kube-system',
      vip_interface: 'eth0',
      svc_enable: 'true',
      vip_arp: 'true',
      vip_leaderelection: 'true',
      prometheus_server: '127.0.0.1:9469',
    });
    assert.deepEqual(env([...ARP, '--services']), env(['--arp', '--interface', 'eth0', '--services']), 'with or without --leaderElection');
  });

  it('is read by the daemon as ARP mode on eth0, with the lease timings and ARP settings given', () => {
    const config = daemonConfig(env(everything), ARP_NODE);
    assert.equal(config.mode, 'arp');
    assert.equal(config.vips.interface, 'eth0');
    assert.deepEqual(config.vips.static.map((v) => v.address), ['192.0.2.10/32']);
    assert.deepEqual(config.peers, []);
    assert.equal(config.kubernetes.controlPlane, true);
    assert.equal(config.kubernetes.services, true);
    assert.equal(config.kubernetes.servicesElection, true);
    assert.equal(config.kubernetes.nodeName, 'node-1');
    assert.deepEqual([config.kubernetes.leaseDuration, config.kubernetes.renewDeadline, config.kubernetes.retryPeriod], [15, 10, 2]);
    assert.deepEqual(config.arp, { prefixLength: { ipv4: 24, ipv6: 64 }, refreshIntervalMs: 3000, leaderElection: true });
    assert.deepEqual(config.admin, { address: '127.0.0.1', port: 9469 });
  });

  it("is read by the daemon with its own defaults when no timing or ARP setting is given", () => {
    const config = daemonConfig(env(ARP_CONTROL_PLANE), ARP_NODE);
    assert.equal(config.mode, 'arp');
    assert.deepEqual([config.kubernetes.leaseDuration, config.kubernetes.renewDeadline, config.kubernetes.retryPeriod], [undefined, undefined, undefined]);
    assert.deepEqual(config.arp, arpDefaults());
  });

  it('is read by the daemon on a node whose only interface is the VIP interface', () => {
    const config = daemonConfig(env(ARP_CONTROL_PLANE), { lo: ARP_NODE.lo, eth0: ARP_NODE.eth0 });
    assert.equal(config.mode, 'arp');
    assert.equal(config.node.routerId, '198.51.100.7', "ARP mode's (unused) router id may come from its own interface");
  });

  it('is read by the daemon on an IPv6-only node', () => {
    const config = daemonConfig(env(ARP_CONTROL_PLANE), { lo: ARP_NODE.lo, eth0: [{ address: '2001:db8::11', family: 'IPv6', internal: false }] });
    assert.equal(config.mode, 'arp');
    assert.equal(config.node.routerId, '0.0.0.0');
  });

  it('takes what the daemon takes, and refuses what it refuses: lease timings, vip_subnet, vip_arpRate', () => {
    const cases: string[][] = [
      ...[['15', '10', '2'], ['3', '2', '1'], ['2', '3', '1'], ['5', '3', '3'], ['5', '2', '2'], ['6', '5', '4'], ['60', '40', '30'], ['3600', '3599', '1']].map(([l, r, p]) => [
        '--leaseDuration', l!, '--leaseRenewDuration', r!, '--leaseRetry', p!,
      ]),
      ['--leaseDuration', '3'], ['--leaseRenewDuration', '4'], ['--leaseRetry', '2'], ['--leaseRetry', '3'], ['--leaseDuration', '0'],
      ...['24', '/24', '32', '33', '64', '128', '129', '24,64', '24,128', '32,129', '0', '24,64,96'].map((v) => ['--vipSubnet', v]),
      ...['500', '3000', '3600000'].map((v) => ['--arp-rate', v]),
    ];
    for (const extra of cases) {
      const parsed = parseManifestArgs('daemonset', [...ARP_CONTROL_PLANE, ...extra]);
      // What the daemon would make of the same values, written straight into its variables.
      const variables = env(ARP_CONTROL_PLANE);
      for (let i = 0; i < extra.length; i += 2) {
        const name = { '--leaseDuration': 'vip_leaseduration', '--leaseRenewDuration': 'vip_renewdeadline', '--leaseRetry': 'vip_retryperiod', '--vipSubnet': 'vip_subnet', '--arp-rate': 'vip_arpRate' }[extra[i]!]!;
        variables[name] = extra[i + 1]!;
      }
      const daemon = configFromEnv(fakeHost({ env: variables, interfaces: ARP_NODE }));
      assert.equal(parsed.ok, daemon.ok, `${extra.join(' ')}: manifest ${parsed.ok ? 'takes' : 'refuses'} it, the daemon ${daemon.ok ? 'takes' : 'refuses'} it`);
      if (parsed.ok && daemon.ok) {
        assert.deepEqual(daemonConfig(env([...ARP_CONTROL_PLANE, ...extra]), ARP_NODE), daemon.value, extra.join(' '));
      }
    }
  });
});

describe('manifest daemonset --arp: the header', () => {
  it('says which interface every node needs', () => {
    assert.match(renderManifest('daemonset', options([...ARP, '--services']), []), /^# ARP mode: the elected node puts the VIPs on eth0; every node this runs on needs eth0 on the VIPs' network\.$/m);
    assert.doesNotMatch(renderManifest('daemonset', options(SERVICES), []), /ARP/);
  });
});
