import type { Council } from '../router/council.js';
import type { Claim, Lease, Sink } from '../sink/contract.js';
import type { SpawnFailure, SpawnOutcome, Spawner } from '../spawner/contract.js';
import { describeError } from '../errors.js';
import type { Emit } from './events.js';
import { completionMemory, failureMemory } from './memories.js';
import { decideRetry, type RetryPolicy } from './retry-policy.js';

/** What running one claimed task needs from the dispatcher. */
export interface TaskRunContext {
  readonly sink: Sink;
  readonly spawner: Spawner;
  /** The council in force when the run starts (a rules reload between claim and run is honoured). */
  readonly council: () => Council;
  readonly emit: Emit;
  readonly retryPolicy: RetryPolicy;
  readonly timeoutMs: number;
  readonly leaseMs: number;
  readonly random: () => number;
}

/** A task this worker is running. */
export interface RunningTask {
  readonly claim: Claim;
  /**
   * Settles once the agent's run is over and its outcome is being recorded: the agent's slot is free from then on. A
   * claim issued at that moment joins the outcome's write in the sink's group commit instead of waiting for its own.
   */
  readonly ran: Promise<void>;
  /** Settles once the outcome is recorded in the sink (or the lease was found lost); never rejects. */
  readonly done: Promise<void>;
  /** Stops the run and gives the task back to the queue, same attempt (a drain whose grace period is over). */
  release(reason: string): void;
}

/** Why a run was cut short by the dispatcher rather than ended by the spawner. */
type Interruption =
  | { readonly kind: 'timeout' }
  | { readonly kind: 'lease-lost' }
  | { readonly kind: 'released'; readonly reason: string };

/**
 * Runs one claimed task on its agent: spawns it with a timeout and the lease kept alive, then records the outcome
 * (completed; retrying after a backoff; failed) with the agent's memory. The outcome is raced against the dispatcher's
 * own interruptions, so a spawner that ignores its `AbortSignal` cannot hold a slot past the timeout.
 */
export function startTask(claim: Claim, context: TaskRunContext): RunningTask {
  const controller = new AbortController();
  let interruption: Interruption | undefined;
  let interrupted!: () => void;
  const whenInterrupted = new Promise<void>((resolve) => (interrupted = resolve));
  const interrupt = (cause: Interruption): void => {
    if (interruption !== undefined) return;
    interruption = cause;
    controller.abort(new Error(cause.kind === 'released' ? `released: ${cause.reason}` : cause.kind));
    interrupted();
  };

  const startedAt = Date.now();
  const timer = setTimeout(() => interrupt({ kind: 'timeout' }), context.timeoutMs);
  const stopRenewing = keepLeaseAlive(claim.lease, context, () => interrupt({ kind: 'lease-lost' }));
  const current = (): Lease => stopRenewing.lease();

  context.emit('onTaskStatus', { ...eventBase(claim), to: 'in_progress', workerId: claim.lease.workerId });
  const outcome = Promise.race([spawn(claim, context, controller.signal), whenInterrupted.then(() => undefined)]).finally(() => {
    clearTimeout(timer);
    stopRenewing.stop();
  });
  const ran = outcome.then(() => undefined);
  const done = (async () => {
    try {
      await record(claim, current(), await outcome, interruption, Date.now() - startedAt, context);
    } catch (error) {
      // The task stays in_progress under a lease nobody renews: it expires and the task runs again, same attempt.
      context.emit('onError', { stage: 'sink', taskId: claim.task.id, error: describeError(error) });
    }
  })();
  return { claim, ran, done, release: (reason) => interrupt({ kind: 'released', reason }) };
}

async function spawn(claim: Claim, context: TaskRunContext, signal: AbortSignal): Promise<SpawnOutcome> {
  const council = context.council();
  const agent = council.agents.find((candidate) => candidate.id === claim.decision.agent);
  if (agent === undefined) {
    const message = `agent ${claim.decision.agent} is no longer in the council`;
    return { ok: false, error: { code: 'invalid_request', message, retryable: false } };
  }
  const taskId = claim.task.id;
  const attempt = claim.lease.attempt;
  try {
    return await context.spawner.spawn({
      taskId,
      attempt,
      idempotencyKey: `${taskId}:${attempt}`,
      agent: { id: agent.id, name: agent.name, spawn: agent.spawn },
      prompt: council.prompt(agent.id, claim.task),
      timeoutMs: context.timeoutMs,
      signal,
      onEvent: (event) => context.emit('onSpawnProgress', { ...eventBase(claim), event }),
    });
  } catch (error) {
    return { ok: false, error: { code: 'internal', message: describeError(error), retryable: true } };
  }
}

async function record(
  claim: Claim,
  lease: Lease,
  outcome: SpawnOutcome | undefined,
  interruption: Interruption | undefined,
  durationMs: number,
  context: TaskRunContext,
): Promise<void> {
  const { sink, emit } = context;
  if (interruption?.kind === 'lease-lost') {
    emit('onError', { stage: 'lease', taskId: claim.task.id, error: 'lease lost while running; another worker owns the task now' });
    return;
  }
  if (interruption?.kind === 'released') {
    const reason = `released: ${interruption.reason}`;
    if (await sink.release(lease, reason)) emit('onTaskStatus', { ...eventBase(claim), to: 'retrying', reason, retryAt: new Date() });
    else reportLostLease(claim, emit);
    return;
  }
  const result: SpawnOutcome = outcome ?? { ok: false, error: timeoutFailure(context.timeoutMs) };
  if (result.ok) {
    const stored = await sink.complete(lease, { output: result.output, memory: completionMemory(claim, result.output) });
    if (stored) emit('onTaskStatus', { ...eventBase(claim), to: 'completed', output: result.output, durationMs });
    else reportLostLease(claim, emit);
    return;
  }
  const error = `${result.error.code}: ${result.error.message}`;
  const verdict = decideRetry(context.retryPolicy, claim.lease.attempt, result.error, context.random);
  if (verdict.retry) {
    const retryAt = new Date(Date.now() + verdict.delayMs);
    if (await sink.fail(lease, { error, retryAt })) emit('onTaskStatus', { ...eventBase(claim), to: 'retrying', reason: error, retryAt });
    else reportLostLease(claim, emit);
    return;
  }
  if (await sink.fail(lease, { error, memory: failureMemory(claim, error) })) emit('onTaskStatus', { ...eventBase(claim), to: 'failed', error });
  else reportLostLease(claim, emit);
}

function timeoutFailure(timeoutMs: number): SpawnFailure {
  return { code: 'timeout', message: `the run took longer than ${timeoutMs / 1000}s and was aborted`, retryable: true };
}

function reportLostLease(claim: Claim, emit: Emit): void {
  emit('onError', { stage: 'lease', taskId: claim.task.id, error: 'lease lost before the outcome was recorded; the task will run again' });
}

function eventBase(claim: Claim) {
  return { taskId: claim.task.id, agent: claim.decision.agent, attempt: claim.lease.attempt, at: new Date() };
}

/**
 * Renews the lease at a third of its length, so two renewals can fail (a busy sink) before it expires. A renewal the sink
 * refuses means another worker may own the task now: the run is stopped.
 */
function keepLeaseAlive(initial: Lease, context: TaskRunContext, onLost: () => void) {
  let lease = initial;
  let renewing: Promise<void> = Promise.resolve();
  const interval = setInterval(() => {
    renewing = renewing.then(async () => {
      try {
        const renewed = await context.sink.renew(lease, context.leaseMs);
        if (renewed === null) onLost();
        else lease = renewed;
      } catch (error) {
        context.emit('onError', { stage: 'lease', taskId: lease.taskId, error: describeError(error) });
      }
    });
  }, Math.max(10, Math.floor(context.leaseMs / 3)));
  return { lease: () => lease, stop: () => clearInterval(interval) };
}
