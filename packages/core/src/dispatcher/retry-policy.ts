import type { SpawnFailure } from '../spawner/contract.js';

/** When to try a failed task again, in milliseconds. */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** What to do after a failed attempt: try again at a time, or give up. */
export type RetryVerdict = { readonly retry: true; readonly delayMs: number } | { readonly retry: false };

/**
 * Decides whether a failed attempt is tried again, and after how long: exponential backoff (`base * 2^(attempt-1)`,
 * capped) with full jitter, so that many tasks failing together (a backend restart) do not come back together. A backend's
 * `retryAfterMs` hint is a floor. `random` is injectable so tests can pin the jitter.
 */
export function decideRetry(policy: RetryPolicy, attempt: number, failure: SpawnFailure, random: () => number = Math.random): RetryVerdict {
  if (!failure.retryable || attempt >= policy.maxAttempts) return { retry: false };
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.round(ceiling * random());
  return { retry: true, delayMs: Math.max(jittered, failure.retryAfterMs ?? 0) };
}
