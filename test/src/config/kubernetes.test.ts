// The Kubernetes keys of the Service watcher and the node annotations: in a file, from kube-vip's
// variables, their defaults (kube-vip's) and their errors.
import { strict as assert } from 'node:assert';
import { KUBERNETES_DEFAULTS, configFromEnv, formatErrors, kubernetesDefaults, resolveConfig } from '../../../src/config/index.js';
import { MINIMAL, errorAt, fakeHost, valid } from './helpers.js';

describe('config: kubernetes keys for Services and nodes', () => {
  it("leaves kube-vip's defaults out, and kubernetesDefaults() fills them in", () => {
    const k = valid(`${MINIMAL}kubernetes: { services: true }\n`).kubernetes;
    assert.deepEqual(k, { enabled: true, controlPlane: false, services: true, apiServerPort: 6443 });
    assert.deepEqual(kubernetesDefaults(k), { namespace: 'kube-system', loadBalancerClass: 'kube-vip.io/kube-vip-class', loadBalancerClassOnly: false, loadBalancerClassLegacyHandling: true });
    assert.deepEqual(kubernetesDefaults(k), KUBERNETES_DEFAULTS);
  });

  it('reads every key', () => {
    const k = valid(
      `${MINIMAL}kubernetes:\n  services: true\n  nodeName: worker-1.example.com\n  namespace: vip-speaker\n  loadBalancerClass: example.com/bgp\n` +
        '  loadBalancerClassOnly: true\n  loadBalancerClassLegacyHandling: false\n  nodeAnnotationPrefix: metal.equinix.com\n',
    ).kubernetes;
    assert.deepEqual(k, {
      enabled: true, controlPlane: false, services: true, apiServerPort: 6443,
      nodeName: 'worker-1.example.com', namespace: 'vip-speaker', loadBalancerClass: 'example.com/bgp',
      loadBalancerClassOnly: true, loadBalancerClassLegacyHandling: false, nodeAnnotationPrefix: 'metal.equinix.com',
    });
    assert.deepEqual(kubernetesDefaults(k), { namespace: 'vip-speaker', loadBalancerClass: 'example.com/bgp', loadBalancerClassOnly: true, loadBalancerClassLegacyHandling: false });
  });

  it('stores a value written equal to its default as absent, so that a reload sees no change', () => {
    const k = valid(`${MINIMAL}kubernetes: { namespace: kube-system, loadBalancerClass: kube-vip.io/kube-vip-class, loadBalancerClassOnly: false, loadBalancerClassLegacyHandling: true }\n`).kubernetes;
    assert.deepEqual(k, { enabled: false, controlPlane: false, services: false, apiServerPort: 6443 });
  });

  it('takes an empty class: only Services that name none', () => {
    assert.equal(valid(`${MINIMAL}kubernetes: { loadBalancerClass: "" }\n`).kubernetes.loadBalancerClass, '');
  });

  it('refuses names Kubernetes would not accept', () => {
    assert.match(errorAt(`${MINIMAL}kubernetes: { nodeName: Worker_1 }\n`, 'kubernetes.nodeName'), /expected a node name: a DNS subdomain/);
    assert.match(errorAt(`${MINIMAL}kubernetes: { namespace: kube.system }\n`, 'kubernetes.namespace'), /expected a namespace: a DNS label/);
    assert.match(errorAt(`${MINIMAL}kubernetes: { nodeAnnotationPrefix: "bgp/" }\n`, 'kubernetes.nodeAnnotationPrefix'), /expected an annotation prefix/);
    assert.match(errorAt(`${MINIMAL}kubernetes: { loadBalancerClassOnly: "yes" }\n`, 'kubernetes.loadBalancerClassOnly'), /expected true or false/);
    assert.match(errorAt(`${MINIMAL}kubernetes: { loadBalancerClasOnly: true }\n`, 'kubernetes.loadBalancerClasOnly'), /did you mean "loadBalancerClassOnly"/);
  });
});

describe('config: kubernetes.leaderElection (BGP mode)', () => {
  it('is stored only when true', () => {
    assert.equal(valid(`${MINIMAL}kubernetes: { leaderElection: true }\n`).kubernetes.leaderElection, true);
    assert.equal(valid(`${MINIMAL}kubernetes: { leaderElection: false }\n`).kubernetes.leaderElection, undefined);
  });

  it('is refused in ARP mode, which has arp.leaderElection', () => {
    const arp = 'mode: arp\nrouterId: 192.0.2.2\nvipInterface: eth0\nvips: [192.0.2.50]\nkubernetes: { leaderElection: true }\n';
    assert.match(errorAt(arp, 'kubernetes.leaderElection'), /applies to mode: bgp only; ARP mode elects its VIP holders under arp\.leaderElection/);
  });
});

describe('config: kube-vip variables for Services and nodes', () => {
  const base = { bgp_enable: 'true', bgp_routerid: '198.51.100.7', svc_enable: 'true', bgp_peers: '192.0.2.1:65001' };
  const fromEnv = (env: Record<string, string>) => {
    const result = configFromEnv(fakeHost({ env }));
    if (!result.ok) throw new Error(formatErrors(result.error).join('\n'));
    return result.value.kubernetes;
  };
  const envErrors = (env: Record<string, string>) => {
    const result = configFromEnv(fakeHost({ env }));
    assert.ok(!result.ok);
    return formatErrors(result.error);
  };

  it('maps vip_nodename, cp_namespace, annotation and the lb_class variables', () => {
    const k = fromEnv({ ...base, vip_nodename: 'node-a', cp_namespace: 'vip', annotation: 'metal.equinix.com', lb_class_name: 'example.com/bgp', lb_class_only: 'T', lb_class_legacy_handling: 'false' });
    assert.deepEqual(
      [k.nodeName, k.namespace, k.nodeAnnotationPrefix, k.loadBalancerClass, k.loadBalancerClassOnly, k.loadBalancerClassLegacyHandling],
      ['node-a', 'vip', 'metal.equinix.com', 'example.com/bgp', true, false],
    );
  });

  it('takes lb_class_name set to "" as an empty class (kube-vip reads it with os.LookupEnv)', () => {
    assert.equal(fromEnv({ ...base, lb_class_name: '' }).loadBalancerClass, '');
  });

  it('reads the lb_class variables only with svc_enable set, as kube-vip does', () => {
    const k = fromEnv({ ...base, svc_enable: '', cp_enable: 'true', address: '192.0.2.10', lb_class_only: 'not-a-bool', lb_class_name: 'x' });
    assert.equal(k.loadBalancerClassOnly, undefined);
    assert.equal(k.loadBalancerClass, undefined);
  });

  it('names the variable in an error', () => {
    assert.deepEqual(envErrors({ ...base, lb_class_only: 'yes' }), ['lb_class_only: expected a boolean as Go\'s strconv.ParseBool reads it (true, false, 1, 0, t, f, TRUE, FALSE, ...), got "yes"']);
    assert.match(envErrors({ ...base, vip_nodename: 'Node_A' }).join('\n'), /^vip_nodename: expected a node name/);
  });

  it('names them among the variables a config file makes vip-speaker ignore', () => {
    const host = fakeHost({ env: { lb_class_only: 'true', vip_nodename: 'node-a' }, files: { '/etc/vip-speaker.yaml': MINIMAL } });
    const result = resolveConfig({ configPath: '/etc/vip-speaker.yaml', host });
    assert.ok(result.ok);
    assert.deepEqual(result.value.notes, ["the config file /etc/vip-speaker.yaml is the whole configuration: ignoring kube-vip's vip_nodename, lb_class_only"]);
  });
});
