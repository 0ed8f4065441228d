// What `vip-speaker manifest` can print, and where a manifest puts the admin endpoint: the names
// the flag readers (options.ts, mode.ts, monitoring-flags.ts) share.
export const MONITORING_KINDS = ['servicemonitor', 'prometheusrule', 'rules', 'dashboard'] as const;
export type MonitoringKind = (typeof MONITORING_KINDS)[number];

export const MANIFEST_KINDS = ['daemonset', 'rbac', 'pod', ...MONITORING_KINDS] as const;
export type ManifestKind = (typeof MANIFEST_KINDS)[number];

/** Where the admin endpoint listens: loopback (the daemon's default), the node's IP, or an address. */
export type AdminAddress = { kind: 'loopback' } | { kind: 'node' } | { kind: 'address'; address: string };
