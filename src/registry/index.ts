// The VIP registry: which VIPs this node should make reachable, and who wants each (registry.ts).
export { VipRegistry, canonicalVip, ownerKind, type DesiredVip, type Owner, type RegistryEvents, type VipAttributes, type VipClaim } from './registry.js';
