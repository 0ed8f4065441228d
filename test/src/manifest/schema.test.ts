// Every generated object against the Kubernetes OpenAPI schemas, offline. Two independent checks:
//
// 1. kubernetes-models (a dev dependency) ships a validator per API type, compiled with ajv from
//    the Kubernetes 1.33 OpenAPI document: required fields, types, formats (int32, int-or-string)
//    and enums (dnsPolicy, operators, taint effects, ...). Like the API server's schema, it lets
//    unknown fields through.
// 2. So the unknown fields are caught the way `kubectl apply --validate=strict` catches them:
//    @kubernetes/client-node's deserializer, generated from the same OpenAPI document, keeps only
//    the fields it knows; an object that does not survive the round trip has a field Kubernetes
//    would drop or refuse.
//
// The prometheus-operator kinds (ServiceMonitor, PrometheusRule) are custom resources, which
// neither knows: @kubernetes-models/prometheus-operator validates them against the CRDs' own
// OpenAPI schemas (prometheus-operator 0.65, monitoring.coreos.com/v1), and a field unknown to
// those schemas is found by probing: a field the schema knows has a type, so a value of no JSON
// type at all (a BigInt) in its place fails validation; in place of a field it does not know,
// nothing fails (the API server would prune it).
import { strict as assert } from 'node:assert';
import { loadYaml } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { buildDaemonSet, buildPrometheusRule, buildServiceMonitor, buildStaticPod } from '../../../src/manifest/index.js';
import { CONTROL_PLANE, SERVICES, everyObject, options } from './helpers.js';
import { MODELS, validate } from './schemas.js';

/** Custom resources: @kubernetes/client-node has no model of them, so the probe finds unknown fields. */
const CUSTOM_KINDS = new Set(['ServiceMonitor', 'PrometheusRule']);

/** Whether the object passes its kind's schema. */
function valid(object: { kind?: string }): boolean {
  try {
    validate(object);
    return true;
  } catch {
    return false;
  }
}

/**
 * The fields of a custom resource that its CRD's schema does not know, as paths: each field in
 * turn is given a value of no JSON type (a BigInt, which survives structuredClone), which fails
 * the type of any field the schema knows, and passes where the schema has nothing to check.
 */
const NO_JSON_TYPE = 1n;

function fieldsUnknownToSchema(object: { kind?: string }): string[] {
  const unknown: string[] = [];
  const walk = (value: unknown, path: Array<string | number>) => {
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      const at = [...path, Array.isArray(value) ? Number(key) : key];
      const probe = structuredClone(object) as Record<string | number, unknown>;
      let parent = probe;
      for (const step of at.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
      parent[at[at.length - 1]!] = NO_JSON_TYPE;
      if (valid(probe)) unknown.push(`.${at.join('.')}`);
      else walk(child, at);
    }
  };
  walk(object, []);
  return unknown;
}

/** The fields @kubernetes/client-node's models do not know, as paths. */
function unknownFields(object: object): string[] {
  const back = JSON.parse(JSON.stringify(loadYaml(stringify(object)))) as unknown;
  const missing: string[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (a === null || typeof a !== 'object') return;
    for (const [key, value] of Object.entries(a)) {
      const there = (b as Record<string, unknown> | undefined)?.[key];
      if (there === undefined) missing.push(`${path}.${key}`);
      else walk(value, there, `${path}.${key}`);
    }
  };
  walk(object, back, '');
  return missing;
}

describe('manifests against the Kubernetes OpenAPI schemas (kubernetes-models, 1.33)', () => {
  const all = everyObject();

  it('covers every kind the generator makes', () => {
    assert.deepEqual([...new Set(all.map((o) => o.object.kind))].sort(), Object.keys(MODELS).sort());
  });

  for (const { label, object } of all) {
    it(`${label} is valid`, () => validate(object));
  }

  it('catches a container without a name', () => {
    const ds = buildDaemonSet(options(SERVICES));
    delete (ds.spec!.template.spec!.containers[0] as { name?: string }).name;
    assert.throws(() => validate(ds), /containers\/0 must have required property '?name'?/);
  });

  it('catches a wrong type: hostNetwork as a string', () => {
    const pod = buildStaticPod(options(CONTROL_PLANE, 'pod'));
    (pod.spec as unknown as Record<string, unknown>).hostNetwork = 'true';
    assert.throws(() => validate(pod), /hostNetwork must be boolean/);
  });

  it('catches a value outside an enum: a taint effect', () => {
    const ds = buildDaemonSet(options(CONTROL_PLANE));
    ds.spec!.template.spec!.tolerations![0]!.effect = 'NoSchedul';
    assert.throws(() => validate(ds), /effect must be equal to one of the allowed values/);
  });

  it('catches an int32 out of range: a probe port', () => {
    const ds = buildDaemonSet(options(SERVICES));
    ds.spec!.template.spec!.containers[0]!.livenessProbe!.periodSeconds = 2 ** 31;
    assert.throws(() => validate(ds), /periodSeconds must match format "int32"/);
  });
});

describe('manifests: no field unknown to the Kubernetes API (@kubernetes/client-node models)', () => {
  for (const { label, object } of everyObject().filter((o) => !CUSTOM_KINDS.has(o.object.kind ?? ''))) {
    it(`${label} has no unknown field`, () => assert.deepEqual(unknownFields(object), []));
  }

  it('catches a misspelt field', () => {
    const ds = buildDaemonSet(options(SERVICES));
    Object.assign(ds.spec!.template.spec!, { hostNetwrok: true });
    assert.deepEqual(unknownFields(ds), ['.spec.template.spec.hostNetwrok']);
  });
});

describe('manifests: no field unknown to the prometheus-operator CRDs (probing their schemas)', () => {
  for (const { label, object } of everyObject().filter((o) => CUSTOM_KINDS.has(o.object.kind ?? ''))) {
    it(`${label} has no unknown field`, () => assert.deepEqual(fieldsUnknownToSchema(object), []));
  }

  it('catches a misspelt field of a ServiceMonitor endpoint, and one of a rule', () => {
    const monitor = buildServiceMonitor(options(['--admin-address', 'node'], 'servicemonitor'));
    Object.assign(monitor.spec.endpoints[0]!, { intervall: '30s' });
    assert.deepEqual(fieldsUnknownToSchema(monitor), ['.spec.endpoints.0.intervall']);
    const rule = buildPrometheusRule(options([], 'prometheusrule'));
    Object.assign(rule.spec.groups![0]!.rules![0]!, { severity: 'critical' });
    assert.deepEqual(fieldsUnknownToSchema(rule), ['.spec.groups.0.rules.0.severity']);
  });

  it('catches a wrong value: a scrape path that is not a duration pattern, a rule without expr', () => {
    const monitor = buildServiceMonitor(options(['--admin-address', 'node'], 'servicemonitor'));
    monitor.spec.endpoints[0]!.interval = '30 seconds';
    assert.throws(() => validate(monitor), /interval must match pattern/);
    const rule = buildPrometheusRule(options([], 'prometheusrule'));
    delete (rule.spec.groups![0]!.rules![0] as { expr?: unknown }).expr;
    assert.throws(() => validate(rule), /must have required property '?expr'?/);
  });
});
