import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@kurultai/core';
import { APIErrorCode, isHTTPResponseError, isNotionClientError, RequestTimeoutError } from '@notionhq/client';

/** How a failed request is handled: waited out (Notion asked us to slow down), retried with backoff, or given up on. */
export type FailureVerdict =
  | { readonly kind: 'rate_limited'; readonly retryAfterMs: number | undefined }
  | { readonly kind: 'transient'; readonly reason: string }
  | { readonly kind: 'permanent' };

/** Reads `Retry-After` (seconds, or an HTTP date) from a Notion error's headers. */
export function retryAfterMs(error: unknown, now: number = Date.now()): number | undefined {
  if (!isHTTPResponseError(error) || !(error.headers instanceof Headers)) return undefined;
  const value = error.headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  APIErrorCode.InternalServerError,
  APIErrorCode.ServiceUnavailable,
  APIErrorCode.GatewayTimeout,
  APIErrorCode.ConflictError,
]);

/**
 * Sorts a failure. Every Kurultai request is safe to repeat (a status set to a value, a query, a read; a comment's retry
 * first looks for it on the page), so 5xx answers are retried on POST and PATCH too, which the client does not.
 */
export function judgeFailure(error: unknown): FailureVerdict {
  if (isNotionClientError(error)) {
    if (error.code === APIErrorCode.RateLimited || error.code === APIErrorCode.ServiceOverload) {
      return { kind: 'rate_limited', retryAfterMs: retryAfterMs(error) };
    }
    if (TRANSIENT_CODES.has(error.code)) return { kind: 'transient', reason: error.code };
    if (RequestTimeoutError.isRequestTimeoutError(error)) return { kind: 'transient', reason: 'timeout' };
    if (isHTTPResponseError(error) && error.status >= 500) return { kind: 'transient', reason: `HTTP ${error.status}` };
    return { kind: 'permanent' };
  }
  // fetch rejects with a TypeError when the connection fails or is reset.
  if (error instanceof TypeError) return { kind: 'transient', reason: 'network error' };
  return { kind: 'permanent' };
}

export interface RequestSchedulerOptions {
  /** The average rate all requests together keep to. */
  readonly requestsPerSecond: number;
  /** Attempts for transient failures; rate limiting is waited out however long it lasts. */
  readonly maxAttempts: number;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** A `Retry-After` longer than this is still waited out, and said in a warning, the first time only. Default 5 minutes. */
  readonly longWaitWarningMs?: number;
  readonly logger: Logger;
}

export interface RequestSchedulerStats {
  /** Requests started, retries included. */
  readonly requests: number;
  /** Answers that said `rate_limited`. */
  readonly rateLimited: number;
  /** Retries after transient failures. */
  readonly retried: number;
}

/**
 * The one gate every Notion request of a source goes through, polling and write-backs alike: requests start at most
 * `requestsPerSecond` apart on average, a `Retry-After` pauses every request (Notion limits the integration, not the call),
 * however long it is (a caller that cannot wait that long passes a signal), and transient failures are retried with exponential backoff and jitter.
 */
export class RequestScheduler {
  readonly #intervalMs: number;
  readonly #options: RequestSchedulerOptions;
  #nextSlot = 0;
  #pausedUntil = 0;
  #warnedLongWait = false;
  #stats = { requests: 0, rateLimited: 0, retried: 0 };

  constructor(options: RequestSchedulerOptions) {
    this.#options = options;
    this.#intervalMs = 1000 / options.requestsPerSecond;
  }

  get stats(): RequestSchedulerStats {
    return { ...this.#stats };
  }

  /** Runs `request` in its turn, retrying as the failure allows; `label` names it in logs (never with secrets). */
  async run<T>(label: string, request: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const { maxAttempts, initialBackoffMs = 500, maxBackoffMs = 30_000, logger } = this.#options;
    for (let attempt = 1; ;) {
      await this.#turn(signal);
      this.#stats.requests += 1;
      try {
        return await request();
      } catch (error) {
        const verdict = judgeFailure(error);
        if (verdict.kind === 'permanent') throw error;
        if (verdict.kind === 'rate_limited') {
          this.#stats.rateLimited += 1;
          const waitMs = verdict.retryAfterMs ?? Math.min(maxBackoffMs, initialBackoffMs * 2 ** Math.min(attempt, 10));
          this.#pausedUntil = Math.max(this.#pausedUntil, performance.now() + waitMs);
          this.#reportWait(label, waitMs);
          continue;
        }
        if (attempt >= maxAttempts) throw error;
        const backoffMs = Math.min(maxBackoffMs, initialBackoffMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
        logger.warn('Notion request failed; retrying', {
          request: label,
          reason: verdict.reason,
          attempt,
          backoffMs: Math.round(backoffMs),
        });
        this.#stats.retried += 1;
        attempt += 1;
        await sleep(backoffMs, undefined, { signal });
      }
    }
  }

  /** A long wait is worth a warning once, so that an operator learns why nothing moves; after that it is routine. */
  #reportWait(label: string, waitMs: number): void {
    const { longWaitWarningMs = 300_000, logger } = this.#options;
    if (waitMs <= longWaitWarningMs) {
      logger.warn('Notion asked to slow down; every request waits', { request: label, waitMs });
    } else if (!this.#warnedLongWait) {
      this.#warnedLongWait = true;
      logger.warn('Notion asks for a wait longer than the warning threshold; every request waits as asked', { request: label, waitMs, longWaitWarningMs });
    } else {
      logger.info('Notion asks for another long wait; every request waits as asked', { request: label, waitMs });
    }
  }

  /** Waits for this request's slot; a pause that began while waiting is waited out too. */
  async #turn(signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = performance.now();
      const slot = Math.max(now, this.#nextSlot, this.#pausedUntil);
      this.#nextSlot = slot + this.#intervalMs;
      if (slot > now) await sleep(slot - now, undefined, { signal });
      if (performance.now() >= this.#pausedUntil) return;
    }
  }
}
