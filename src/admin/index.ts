// The admin endpoint: /metrics (Prometheus), /healthz, /readyz and /status on one HTTP server.
export { AdminServer, type AdminSource } from './server.js';
export { DaemonMetrics, type MetricsSource, type VipHolder } from './metrics.js';
export { statusDocument, type ModeStatus, type PeerStatusDoc, type StatusParts } from './status.js';
export { OWNER_KINDS, keyVips, ownerKindCounts, placedVips, registryVips, vipMismatch, type VipMismatch, type VipSet } from './vip-accounting.js';
