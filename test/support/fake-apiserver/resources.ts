// The resource types the fake serves, one row each: how the URL names them, how the objects
// name their kind, and the few registry behaviours (status subresource, generation, what DELETE
// returns) that differ between them in kube-apiserver (pkg/registry/<group>/<resource>/strategy.go).

export interface ResourceType {
  /** Kind of one object, e.g. `Service`. */
  kind: string;
  /** Kind of a collection, e.g. `ServiceList`. */
  listKind: string;
  /** Plural resource name used in the URL, e.g. `services`. */
  resource: string;
  /** API group; '' is the core (legacy) group served under /api. */
  group: string;
  version: string;
  namespaced: boolean;
  /** Has a `/status` subresource: the main resource then keeps `.status` on update. */
  statusSubresource: boolean;
  /** PrepareForCreate clears `.status` (Services; Nodes may be created with a status). */
  createClearsStatus: boolean;
  /** AllowCreateOnUpdate: a PUT to a missing name creates it instead of answering 404. */
  allowCreateOnUpdate: boolean;
  /** AllowUnconditionalUpdate: a PUT without `metadata.resourceVersion` overwrites; if false it is 422. */
  allowUnconditionalUpdate: boolean;
  /** The registry sets `metadata.generation` to 1 on create and bumps it on spec changes. */
  tracksGeneration: boolean;
  /** DELETE answers with the deleted object instead of a Success Status. */
  deleteReturnsObject: boolean;
  /** Strategic-merge-patch keys of lists merged by element rather than replaced (field path → key). */
  mergeKeys: Record<string, string>;
  /** Field selector keys accepted beside metadata.name and metadata.namespace. */
  extraFieldSelectors: string[];
  /** Short names and categories for discovery; informational. */
  shortNames: string[];
}

export const RESOURCE_TYPES = {
  Service: {
    kind: 'Service', listKind: 'ServiceList', resource: 'services', group: '', version: 'v1', namespaced: true,
    statusSubresource: true, createClearsStatus: true, allowCreateOnUpdate: true, allowUnconditionalUpdate: true,
    tracksGeneration: true, deleteReturnsObject: true,
    mergeKeys: { 'spec.ports': 'port', 'status.conditions': 'type' },
    extraFieldSelectors: ['spec.clusterIP', 'spec.type'], shortNames: ['svc'],
  },
  Node: {
    kind: 'Node', listKind: 'NodeList', resource: 'nodes', group: '', version: 'v1', namespaced: false,
    statusSubresource: true, createClearsStatus: false, allowCreateOnUpdate: false, allowUnconditionalUpdate: true,
    tracksGeneration: false, deleteReturnsObject: false,
    mergeKeys: { 'status.conditions': 'type', 'status.addresses': 'type' },
    extraFieldSelectors: ['spec.unschedulable'], shortNames: ['no'],
  },
  EndpointSlice: {
    kind: 'EndpointSlice', listKind: 'EndpointSliceList', resource: 'endpointslices', group: 'discovery.k8s.io', version: 'v1',
    namespaced: true, statusSubresource: false, createClearsStatus: false, allowCreateOnUpdate: false, allowUnconditionalUpdate: true,
    tracksGeneration: true, deleteReturnsObject: false,
    mergeKeys: {}, extraFieldSelectors: ['addressType'], shortNames: [],
  },
  Lease: {
    kind: 'Lease', listKind: 'LeaseList', resource: 'leases', group: 'coordination.k8s.io', version: 'v1', namespaced: true,
    // pkg/registry/coordination/lease/strategy.go: created by PUT, and never updated without a resourceVersion.
    statusSubresource: false, createClearsStatus: false, allowCreateOnUpdate: true, allowUnconditionalUpdate: false,
    tracksGeneration: false, deleteReturnsObject: false,
    mergeKeys: {}, extraFieldSelectors: [], shortNames: [],
  },
  // events.k8s.io/v1, which client-go's tools/events writes (the same objects as core v1 Events).
  Event: {
    kind: 'Event', listKind: 'EventList', resource: 'events', group: 'events.k8s.io', version: 'v1', namespaced: true,
    statusSubresource: false, createClearsStatus: false, allowCreateOnUpdate: false, allowUnconditionalUpdate: true,
    tracksGeneration: false, deleteReturnsObject: false,
    mergeKeys: {}, extraFieldSelectors: ['regarding.kind', 'regarding.namespace', 'regarding.name', 'regarding.uid', 'reason', 'type', 'reportingController'], shortNames: ['ev'],
  },
  Secret: {
    kind: 'Secret', listKind: 'SecretList', resource: 'secrets', group: '', version: 'v1', namespaced: true,
    statusSubresource: false, createClearsStatus: false, allowCreateOnUpdate: false, allowUnconditionalUpdate: true,
    tracksGeneration: false, deleteReturnsObject: false,
    mergeKeys: {}, extraFieldSelectors: ['type'], shortNames: [],
  },
} as const satisfies Record<string, ResourceType>;

/** The kinds a test can name: `'Service' | 'Node' | 'EndpointSlice' | 'Lease' | 'Event' | 'Secret'`. */
export type KindName = keyof typeof RESOURCE_TYPES;

export const ALL_RESOURCE_TYPES: readonly ResourceType[] = Object.values(RESOURCE_TYPES);

/** `v1` for the core group, `group/version` otherwise. */
export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

export function resourceTypeOf(kind: KindName): ResourceType {
  return RESOURCE_TYPES[kind];
}

export function findResourceType(group: string, version: string, resource: string): ResourceType | undefined {
  return ALL_RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.resource === resource);
}

/** The group/version pairs served, core first, for discovery. */
export function servedGroups(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const t of ALL_RESOURCE_TYPES) seen.set(`${t.group}/${t.version}`, { group: t.group, version: t.version });
  return [...seen.values()];
}
