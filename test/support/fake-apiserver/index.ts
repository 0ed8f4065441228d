// A fake Kubernetes API server for tests that run the real @kubernetes/client-node against it.
//
// How the parts fit: `server.ts` is the HTTP front (auth, outages, request log, test helpers);
// `routes.ts` turns a request into a store call or a watch; `store.ts` holds the objects under a
// global resourceVersion with a bounded history; `watch.ts` streams events from that history and
// from live changes; `status.ts` builds the Status errors; `patch.ts`, `selectors.ts`,
// `discovery.ts`, `resources.ts` and `validation.ts` (what kube-apiserver refuses of an Event)
// are the small rule books the others consult.
//
// Use:
//   const server = new FakeApiServer({ bookmarkIntervalMs: 50 });
//   await server.start();
//   const core = server.kubeconfig().makeApiClient(CoreV1Api);
//   server.create('Service', { metadata: { namespace: 'default', name: 'web' }, spec: {} });
//   await server.setDown(true);   // outage: watches cut, connections refused
//   await server.setDown(false);
//   server.compactBefore();       // every watch from an older resourceVersion now gets 410
//   await server.stop();
export { FakeApiServer, type ConnectionStats, type FakeApiServerOptions, type OutageMode, type RecordedRequest } from './server.js';
export { FakeApiError, StatusReason, type Status } from './status.js';
export { RESOURCE_TYPES, type KindName, type ResourceType } from './resources.js';
export type { KubeObject, ObjectKey, ObjectMeta } from './object.js';
export type { BookmarkObject, WatchEvent, WatchEventType } from './watch.js';
export { kubeconfigYaml, makeKubeConfig } from './kubeconfig.js';
