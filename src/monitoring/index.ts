// What operators watch vip-speaker with: the Prometheus alerting rules (alerts.ts) and the Grafana
// dashboard (dashboard.ts, drawn with grafana.ts), both printed by `vip-speaker manifest` and kept
// under deploy/monitoring/. docs/observability.md is their reference: each alert's runbook, each
// panel's question.
export {
  ALL_SESSIONS_DOWN_FOR,
  ARP_HOLDER_FOR,
  BFD_DOWN_FOR,
  FAILURE_WINDOW,
  FLAPS,
  FLAP_WINDOW,
  KUBERNETES_API_DOWN_FOR,
  RULE_GROUPS,
  SESSION_DOWN_FOR,
  VIP_MISMATCH_FOR,
  alertNames,
  runbookOf,
  type AlertRule,
  type RuleGroup,
  type Severity,
} from './alerts.js';
export { DASHBOARD_UID, buildDashboard, type Dashboard } from './dashboard.js';
export { type Panel, type Target } from './grafana.js';
