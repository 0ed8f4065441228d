// The Kubernetes OpenAPI schemas (kubernetes-models, 1.33) and the prometheus-operator CRDs'
// schemas, one model per kind the generator makes: schema.test.ts checks every object against
// them, k3s.test.ts the manifests of the K3s walk-through.
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Pod } from 'kubernetes-models/v1/Pod';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Service } from 'kubernetes-models/v1/Service';

/** A model class of kubernetes-models: built from plain data, validate() throws on a schema error. */
type ModelClass = new (data: never) => { validate(): void };

export const MODELS: Record<string, ModelClass> = {
  DaemonSet: DaemonSet as unknown as ModelClass,
  Pod: Pod as unknown as ModelClass,
  ServiceAccount: ServiceAccount as unknown as ModelClass,
  ClusterRole: ClusterRole as unknown as ModelClass,
  ClusterRoleBinding: ClusterRoleBinding as unknown as ModelClass,
  Role: Role as unknown as ModelClass,
  RoleBinding: RoleBinding as unknown as ModelClass,
  Service: Service as unknown as ModelClass,
  ServiceMonitor: ServiceMonitor as unknown as ModelClass,
  PrometheusRule: PrometheusRule as unknown as ModelClass,
};

/** Throws the schema's complaint, with the paths (`data/spec/template/...`). */
export function validate(object: { kind?: string }): void {
  const Model = MODELS[object.kind ?? ''];
  if (!Model) throw new Error(`no schema for kind ${object.kind}`);
  new Model(structuredClone(object) as never).validate();
}
