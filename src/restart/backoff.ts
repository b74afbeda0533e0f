// Restart timing as pure arithmetic: exponential backoff with a cap and deterministic jitter.
// The jitter comes from a hash of the target and the attempt, so the same history always yields the same schedule
// (decide() stays pure), while targets that failed together still spread out instead of restarting in lockstep.

export interface Backoff {
  /** Delay before the 2nd restart (ms); each later delay is multiplied by `multiplier`. */
  initial: number;
  multiplier: number;
  /** Cap (ms), applied before the jitter. */
  max: number;
  /** Share of each delay added or removed, e.g. 0.1 for ±10%. */
  jitter: number;
}

/** FNV-1a, 32 bits: small, fast and well spread for short keys. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A number in [-1, 1], fixed for a target and attempt. */
export function jitterUnit(key: string, attempt: number): number {
  return (fnv1a(`${key}#${attempt}`) / 0xffffffff) * 2 - 1;
}

/**
 * The wait (ms) between restart number `restarts` and the next one: `initial × multiplier^(restarts-1)`, capped at
 * `max`, then ± jitter. `restarts` is at least 1 (before the first restart, firstDelay applies instead).
 */
export function backoffDelay(backoff: Backoff, restarts: number, key: string): number {
  const exponent = Math.max(0, restarts - 1);
  // Past the cap the exponent no longer matters; bounding it keeps the power finite.
  const raw = backoff.initial * backoff.multiplier ** Math.min(exponent, 1000);
  const capped = Math.min(Number.isFinite(raw) ? raw : backoff.max, backoff.max);
  return Math.max(0, Math.round(capped * (1 + backoff.jitter * jitterUnit(key, restarts))));
}
