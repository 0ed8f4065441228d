// vip-speaker and the Kubernetes API. How the parts fit: cluster.ts is the one owner, started
// and stopped as one, of what the daemon takes from the cluster; client.ts finds the API server
// and this node's name; informers/ keeps list-and-watch caches alive through outages; elections/
// is Lease leader election with client-go's semantics; services/ turns LoadBalancer Services
// into VIP claims and writes their status; control-plane/ gates the control-plane VIP on the
// local API server's health; node/ reads kube-vip's per-node BGP annotations; transport/ is the
// client every part shares (one gate per API server: QPS, burst, requests in flight, Leases
// first; one keep-alive agent); events/ writes Kubernetes Events as client-go's recorder does.
//
// This entry point loads nothing of the Kubernetes client: cluster.ts imports the rest when the
// configuration asks for the cluster.
export { startCluster, CLUSTER_STOP_TIMEOUT_MS, KUBERNETES_SYNC_TIMEOUT_MS, STATIC_OWNER, type Cluster, type ClusterOptions, type ClusterStatus, type ClusterStopOptions } from './cluster.js';
export { SoloCandidate, type Candidate, type Elections, type LeaseRef } from './elections/candidate.js';
export type { StopOptions, StoppedReason } from './elections/options.js';
export type { NodeBgpOverrides } from './node/annotations.js';
