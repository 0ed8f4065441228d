// RBAC: the shape of the grants, bound to its service account, and never Secrets. That they are
// exactly what the code uses is rbac-usage.test.ts's to prove.
import { strict as assert } from 'node:assert';
import type { V1ClusterRole, V1PolicyRule, V1Role, V1RoleBinding } from '@kubernetes/client-node';
import { buildRbac, type RbacObject } from '../../../src/manifest/index.js';
import { ARP, ARP_CONTROL_PLANE, CONTROL_PLANE, SERVICES, options } from './helpers.js';

const rbac = (args: string[]) => buildRbac(options(args, 'rbac'));
const find = (objects: RbacObject[], kind: string, name = 'vip-speaker') => objects.find((o) => o.kind === kind && o.metadata?.name === name);
const grants = (rules: V1PolicyRule[] | undefined) => (rules ?? []).map((r) => `${r.apiGroups!.join(',')}/${r.resources!.join(',')}: ${r.verbs.join(',')}`);

describe('manifest rbac', () => {
  it('grants a Service speaker the informers on Services, EndpointSlices and Nodes, status and Service patches (kube-vip.io/vipHost), and Events', () => {
    assert.deepEqual(grants((find(rbac(SERVICES), 'ClusterRole') as V1ClusterRole).rules), [
      '/nodes: list,watch',
      '/services: list,watch,patch',
      '/services/status: patch',
      'discovery.k8s.io/endpointslices: list,watch',
      'events.k8s.io/events: create,patch',
    ]);
  });

  it('grants patches of nodes only with --enableNodeLabeling (kube-vip.io/has-ip)', () => {
    assert.deepEqual(grants((find(rbac([...CONTROL_PLANE, '--enableNodeLabeling']), 'ClusterRole') as V1ClusterRole).rules), ['/nodes: patch']);
  });

  it('grants a BGP control-plane speaker no role at all: it calls no API', () => {
    assert.deepEqual(rbac(CONTROL_PLANE).map((o) => o.kind), ['ServiceAccount']);
  });

  it('grants Nodes with --annotations (this node\'s BGP settings) or --services (its drain), and not otherwise', () => {
    assert.deepEqual(grants((find(rbac([...CONTROL_PLANE, '--annotations', 'metal.equinix.com']), 'ClusterRole') as V1ClusterRole).rules), ['/nodes: list,watch']);
    assert.deepEqual(grants((find(rbac(SERVICES), 'ClusterRole') as V1ClusterRole).rules)[0], '/nodes: list,watch');
    assert.equal(find(rbac(CONTROL_PLANE), 'ClusterRole'), undefined);
  });

  it("grants the services Lease in the speaker's own namespace only", () => {
    const role = find(rbac([...SERVICES, '-n', 'vip-system']), 'Role') as V1Role;
    assert.equal(role.metadata!.namespace, 'vip-system');
    assert.deepEqual(grants(role.rules), ['coordination.k8s.io/leases: get,create,update']);
  });

  it('grants leases in every namespace, watched (the holder alone announces), only for per-Service election, and then none of its own in BGP mode', () => {
    assert.equal(find(rbac(SERVICES), 'ClusterRole', 'vip-speaker-service-leases'), undefined);
    const objects = rbac([...SERVICES, '--servicesElection']);
    const role = find(objects, 'ClusterRole', 'vip-speaker-service-leases') as V1ClusterRole;
    assert.deepEqual(grants(role.rules), ['coordination.k8s.io/leases: get,create,update,delete,list,watch']);
    assert.ok(find(objects, 'ClusterRoleBinding', 'vip-speaker-service-leases'));
    assert.equal(find(objects, 'Role'), undefined, 'no plndr-svcs-lock with per-Service election');
  });

  it("ARP mode: grants leases in the speaker's namespace (plndr-cp-lock, plndr-svcs-lock) with their watch, and in every namespace with --services", () => {
    // Without --services the control-plane lease is the only one.
    const controlPlane = rbac(ARP_CONTROL_PLANE);
    assert.deepEqual(grants((find(controlPlane, 'Role') as V1Role).rules), ['coordination.k8s.io/leases: get,create,update,list,watch']);
    assert.equal(find(controlPlane, 'ClusterRole', 'vip-speaker-service-leases'), undefined);
    assert.equal(find(controlPlane, 'ClusterRole'), undefined, 'nothing cluster-wide');
    // A Service with externalTrafficPolicy: Local has a Lease of its own, beside it, even without --servicesElection.
    for (const args of [[...ARP, '--services'], [...ARP, '--services', '--servicesElection']]) {
      const objects = rbac(args);
      assert.deepEqual(grants((find(objects, 'ClusterRole', 'vip-speaker-service-leases') as V1ClusterRole).rules), ['coordination.k8s.io/leases: get,create,update,delete,list,watch']);
      assert.ok(find(objects, 'ClusterRoleBinding', 'vip-speaker-service-leases'));
      assert.deepEqual(grants((find(objects, 'ClusterRole') as V1ClusterRole).rules), grants((find(rbac(SERVICES), 'ClusterRole') as V1ClusterRole).rules));
    }
  });

  it('never grants Secrets, nor wildcards, even with --peer-password-secret', () => {
    const objects = rbac([...SERVICES, '--servicesElection', '--peerAddress', '192.0.2.3', '--peer-password-secret', 'bgp-md5']);
    for (const o of objects) {
      for (const rule of (o as V1Role).rules ?? []) {
        assert.ok(!rule.resources!.includes('secrets'), `${o.kind} ${o.metadata!.name} grants secrets`);
        assert.ok(![...rule.resources!, ...rule.verbs, ...rule.apiGroups!].includes('*'), `${o.kind} ${o.metadata!.name} has a wildcard`);
      }
    }
  });

  it('binds every role to the service account the DaemonSet runs as, and to nothing else', () => {
    const objects = rbac([...ARP_CONTROL_PLANE, '--services', '--servicesElection', '-n', 'vip-system']);
    const account = find(objects, 'ServiceAccount')!;
    assert.equal(account.metadata!.namespace, 'vip-system');
    const bindings = objects.filter((o): o is V1RoleBinding => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding');
    assert.equal(bindings.length, 3);
    for (const binding of bindings) {
      assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'vip-speaker', namespace: 'vip-system' }]);
      const roleKind = binding.kind === 'RoleBinding' ? 'Role' : 'ClusterRole';
      assert.equal(binding.roleRef.kind, roleKind);
      assert.ok(find(objects, roleKind, binding.roleRef.name), `${binding.metadata!.name} refers to a missing ${roleKind}`);
    }
  });
});
