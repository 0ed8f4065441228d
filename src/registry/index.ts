// The VIP registry: which VIPs this node should make reachable, and who wants each (registry.ts).
export {
  RegistryError,
  VipRegistry,
  canonicalVip,
  ownerKind,
  type ChangeTracker,
  type DesiredVip,
  type Owner,
  type OwnerTraits,
  type RegistryErrorCode,
  type RegistryEvents,
  type VipAttributes,
  type VipClaim,
  type WantedVip,
} from './registry.js';
