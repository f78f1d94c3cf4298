import { describe, expect, it } from 'vitest';
import type { SpawnFailure } from '../spawner/contract.js';
import { decideRetry } from './retry-policy.js';

const policy = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 5000 };
const retryable: SpawnFailure = { code: 'unavailable', message: 'down', retryable: true };

describe('decideRetry', () => {
  it('doubles the delay ceiling with each attempt', () => {
    const ceilings = [1, 2, 3].map((attempt) => decideRetry(policy, attempt, retryable, () => 1));
    expect(ceilings).toEqual([
      { retry: true, delayMs: 1000 },
      { retry: true, delayMs: 2000 },
      { retry: true, delayMs: 4000 },
    ]);
  });

  it('caps the delay at the maximum', () => {
    expect(decideRetry({ ...policy, maxAttempts: 10 }, 8, retryable, () => 1)).toEqual({ retry: true, delayMs: 5000 });
  });

  it('spreads the delay over the whole interval below the ceiling (full jitter)', () => {
    expect(decideRetry(policy, 3, retryable, () => 0.25)).toEqual({ retry: true, delayMs: 1000 });
    expect(decideRetry(policy, 3, retryable, () => 0)).toEqual({ retry: true, delayMs: 0 });
  });

  it("never retries sooner than the backend's retry-after hint", () => {
    const limited: SpawnFailure = { code: 'rate_limited', message: 'slow down', retryable: true, retryAfterMs: 3000 };
    expect(decideRetry(policy, 1, limited, () => 0.5)).toEqual({ retry: true, delayMs: 3000 });
  });

  it('gives up on the last attempt', () => {
    expect(decideRetry(policy, 4, retryable, () => 0.5)).toEqual({ retry: false });
  });

  it('gives up at once on a failure a retry will not help', () => {
    const refused: SpawnFailure = { code: 'invalid_request', message: 'bad', retryable: false };
    expect(decideRetry(policy, 1, refused, () => 0.5)).toEqual({ retry: false });
  });
});
