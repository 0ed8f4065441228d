// Outcomes that can fail as values: the config, manifest and Kubernetes readers collect every
// error instead of throwing at the first. (The BGP library has its own, for its decode errors.)
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail<E>(error: E): { ok: false; error: E } {
  return { ok: false, error };
}
