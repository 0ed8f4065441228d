// The discovery documents (/api, /apis, /api/v1, /apis/GROUP/VERSION, /version), enough for a
// client that asks which groups and resources exist before it talks to them.
import { ALL_RESOURCE_TYPES, type ResourceType, servedGroups } from './resources.js';

const VERBS_WITH_STATUS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

function apiResource(type: ResourceType): Record<string, unknown> {
  return {
    name: type.resource,
    singularName: type.kind.toLowerCase(),
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: VERBS_WITH_STATUS,
    ...(type.shortNames.length > 0 ? { shortNames: type.shortNames } : {}),
  };
}

function statusResource(type: ResourceType): Record<string, unknown> {
  return { name: `${type.resource}/status`, singularName: '', namespaced: type.namespaced, kind: type.kind, verbs: ['get', 'patch', 'update'] };
}

/** The body for a discovery path, or undefined when the path is not a discovery path. */
export function discoveryDocument(path: string, serverAddress: string): unknown {
  if (path === '/api') {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
  }
  if (path === '/apis') {
    const groups = servedGroups()
      .filter((g) => g.group !== '')
      .map(({ group, version }) => {
        const gv = { groupVersion: `${group}/${version}`, version };
        return { name: group, versions: [gv], preferredVersion: gv };
      });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  if (path === '/version') {
    return { major: '1', minor: '31', gitVersion: 'v1.31.0-fake', platform: 'linux/amd64' };
  }
  for (const { group, version } of servedGroups()) {
    const prefix = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
    if (path === prefix) {
      const types = ALL_RESOURCE_TYPES.filter((t) => t.group === group && t.version === version);
      const resources = types.flatMap((t) => (t.statusSubresource ? [apiResource(t), statusResource(t)] : [apiResource(t)]));
      return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources };
    }
    if (group !== '' && path === `/apis/${group}`) {
      const gv = { groupVersion: `${group}/${version}`, version };
      return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: [gv], preferredVersion: gv };
    }
  }
  return undefined;
}
