/** Notion's published limit: about three requests per second on average, with some bursts allowed. */
export interface FakeRateLimit {
  readonly requestsPerSecond: number;
  /** How many requests may arrive at once after a quiet spell. */
  readonly burst: number;
}

export const NOTION_RATE_LIMIT: FakeRateLimit = { requestsPerSecond: 3, burst: 10 };

/** A token bucket: each request takes a token, tokens come back at `requestsPerSecond`, the bucket holds `burst`. */
export class FakeRateLimiter {
  readonly #limit: FakeRateLimit;
  #tokens: number;
  #refilledAt: number;

  constructor(limit: FakeRateLimit, now: number = performance.now()) {
    this.#limit = limit;
    this.#tokens = limit.burst;
    this.#refilledAt = now;
  }

  /** Takes a token; without one, answers how many whole seconds to wait, as Notion's `Retry-After` says it. */
  take(
    now: number = performance.now(),
  ): { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number } {
    const elapsedSeconds = (now - this.#refilledAt) / 1000;
    this.#tokens = Math.min(this.#limit.burst, this.#tokens + elapsedSeconds * this.#limit.requestsPerSecond);
    this.#refilledAt = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { allowed: true };
    }
    const secondsToToken = (1 - this.#tokens) / this.#limit.requestsPerSecond;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(secondsToToken)) };
  }
}
