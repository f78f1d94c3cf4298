import type { SpawnFailure, SpawnRequest } from './contract.js';

/** A run's end by time or by its caller: one signal for both, and the failure that says which fired first. */
export interface SpawnDeadline {
  /** Aborts when the request's signal aborts or its timeout passes. */
  readonly signal: AbortSignal;
  /** The typed failure for the cause that fired, or undefined while neither has. */
  failure(): SpawnFailure | undefined;
  /** Stops the timer; call when the run ends. */
  dispose(): void;
}

/**
 * Starts a run's deadline. Both causes are retryable: a timeout may be a slow moment, and an abort is a worker shutting
 * down, whose task another worker should pick up.
 */
export function startSpawnDeadline(request: Pick<SpawnRequest, 'timeoutMs' | 'signal'>): SpawnDeadline {
  const controller = new AbortController();
  let failure: SpawnFailure | undefined;
  const end = (next: SpawnFailure): void => {
    if (failure !== undefined) return;
    failure = next;
    controller.abort(new Error(next.message));
  };
  const onAbort = (): void => end({ code: 'aborted', message: 'the run was aborted', retryable: true });
  const timer = setTimeout(
    () => end({ code: 'timeout', message: `the run took longer than its ${request.timeoutMs} ms timeout`, retryable: true }),
    request.timeoutMs,
  );
  if (request.signal.aborted) onAbort();
  else request.signal.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    failure: () => failure,
    dispose: () => {
      clearTimeout(timer);
      request.signal.removeEventListener('abort', onAbort);
    },
  };
}
