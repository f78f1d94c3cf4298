import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Council } from '../router/council.js';
import type { Claim, Sink, SinkSummary } from '../sink/contract.js';
import type { Source } from '../source/contract.js';
import type { Spawner } from '../spawner/contract.js';
import type { TaskStatus } from '../task.js';
import { describeError } from '../errors.js';
import { deliverWriteBacks, type WriteBackContext } from './deliver-write-backs.js';
import { createEmitter, type DispatcherListener, type Emit } from './events.js';
import { ingestSource } from './ingest-source.js';
import { watchRules } from './rules-reload.js';
import { startTask, type RunningTask, type TaskRunContext } from './run-task.js';
import type { DispatcherSettings } from './settings.js';
import { WakeSignal } from './wake-signal.js';

/** Everything a dispatcher works with: the three plugin instances, the council, its settings, its listeners. */
export interface DispatcherOptions {
  readonly source: Source;
  readonly sink: Sink;
  readonly spawner: Spawner;
  readonly council: Council;
  readonly settings: DispatcherSettings;
  readonly listeners?: readonly DispatcherListener[];
  /** Names this worker in leases and the history; unique per process. Default `host:pid:random`. */
  readonly workerId?: string;
  /** The jitter source for retry backoff; tests pin it. */
  readonly random?: () => number;
  /** Where the council's rules live and how to load them: `run` reloads them after each edit (not `runOnce`). */
  readonly rules?: { readonly dir: string; readonly loadCouncil: (dir: string) => Promise<Council> };
}

/** How many tasks this worker is running, in all and per agent. */
export interface DispatcherLoad {
  readonly running: number;
  readonly byAgent: Readonly<Record<string, number>>;
}

/** What one `runOnce` did, and where the ledger stands after it. */
export interface RunSummary {
  /** Tasks new to the ledger. */
  readonly ingested: number;
  /** Tasks this run completed. */
  readonly completed: number;
  /** Tasks this run failed for good (no attempt left, or a failure a retry would not help). */
  readonly failed: number;
  /** Moves to `retrying` in this run: failures to try again, released and recovered tasks. */
  readonly retried: number;
  readonly durationMs: number;
  /** The ledger at the end, with the retries left waiting for their time (`waitingRetries`). */
  readonly ledger: SinkSummary;
}

/**
 * The dispatcher: reads the source into the ledger (routing each task), claims runnable tasks within the global and
 * per-agent caps, runs them through the spawner, records every outcome, and delivers the write-backs to the source.
 *
 * Every state lives in the sink; this object holds only what it is running now. A worker killed at any point loses
 * nothing: its claims expire, `recoverExpiredLeases` puts their tasks back, and the next run of a task reuses its attempt
 * and so its idempotency key.
 */
export interface Dispatcher {
  /**
   * Runs until `drain()` is called: follows the source, runs tasks, delivers write-backs, reloads edited rules. Resolves
   * once drained.
   */
  run(): Promise<void>;
  /**
   * Takes what the source holds now, runs every task until none is runnable now and none is in progress (in review mode:
   * records them and stops), delivers the write-backs, and resolves with a summary. A retry whose time is still ahead is
   * not waited for: it stays `retrying` in the ledger for the next run, and `ledger.waitingRetries` says when it is due.
   */
  runOnce(): Promise<RunSummary>;
  /**
   * Stops reading and claiming. Running tasks get `graceMs` (default: the settings' grace) to finish; the rest are aborted
   * and released to the queue, same attempt. Resolves when `run`/`runOnce` has returned.
   */
  drain(graceMs?: number): Promise<void>;
  /** Adds a listener (e.g. a view made after the dispatcher); answers a function that removes it. */
  listen(listener: DispatcherListener): () => void;
  /** Puts a new council in force for the tasks routed from now on (a rules reload). */
  replaceCouncil(council: Council): void;
  readonly council: Council;
  readonly workerId: string;
  load(): DispatcherLoad;
}

/** Why a draining worker gives tasks back. */
const SHUTDOWN = 'the worker is shutting down';

/** The sink statuses that mean work is still to be done. */
const UNFINISHED: readonly TaskStatus[] = ['assigned', 'retrying', 'in_progress'];

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { source, sink, settings } = options;
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const listeners: DispatcherListener[] = [...(options.listeners ?? [])];
  const emit: Emit = createEmitter(listeners);
  const leaseMs = settings.leaseSeconds * 1000;
  const pollMs = settings.pollSeconds * 1000;
  const recoverEveryMs = Math.max(pollMs, leaseMs / 2);

  let council = options.council;
  /** Tasks started and not yet recorded (one task may be here twice: recording a retry while its next attempt runs). */
  const running = new Set<RunningTask>();
  /** Of those, the ones whose agent is still at work: they hold the global and per-agent slots. */
  const busy = new Set<RunningTask>();
  const wake = new WakeSignal();
  const stopping = new AbortController();
  let finished: Promise<unknown> = Promise.resolve();
  let lastRecovery = 0;

  const runContext: TaskRunContext = {
    sink,
    spawner: options.spawner,
    council: () => council,
    emit,
    leaseMs,
    timeoutMs: settings.taskTimeoutSeconds * 1000,
    random: options.random ?? Math.random,
    retryPolicy: {
      maxAttempts: settings.retries.maxAttempts,
      baseDelayMs: settings.retries.baseDelaySeconds * 1000,
      maxDelayMs: settings.retries.maxDelaySeconds * 1000,
    },
  };
  const writeBackContext: WriteBackContext = { sink, sources: new Map([[source.name, source]]), workerId, leaseMs, emit, council: () => council };
  const ingestContext = { source, sink, spawner: options.spawner, council: () => council, emit, onIngested: () => wake.wake() };

  const listen = (listener: DispatcherListener): (() => void) => {
    listeners.push(listener);
    return () => {
      const index = listeners.indexOf(listener);
      if (index >= 0) listeners.splice(index, 1);
    };
  };

  const load = (): DispatcherLoad => {
    const byAgent: Record<string, number> = {};
    for (const task of busy) byAgent[task.claim.decision.agent] = (byAgent[task.claim.decision.agent] ?? 0) + 1;
    return { running: busy.size, byAgent };
  };

  /** The free slots of each agent with a cap, for the sink to respect in one claim. */
  const agentSlots = (): Record<string, number> => {
    const { byAgent } = load();
    const slots: Record<string, number> = {};
    for (const agent of council.agents) {
      if (agent.maxConcurrent !== undefined) slots[agent.id] = Math.max(0, agent.maxConcurrent - (byAgent[agent.id] ?? 0));
    }
    return slots;
  };

  const recoverIfDue = async (): Promise<void> => {
    if (Date.now() - lastRecovery < recoverEveryMs) return;
    lastRecovery = Date.now();
    try {
      for (const change of await sink.recoverExpiredLeases()) {
        const agent = (await sink.getTask(change.taskId))?.decision.agent ?? 'unknown';
        emit('onTaskStatus', { taskId: change.taskId, agent, attempt: change.attempt, at: change.at, to: 'retrying', reason: change.reason ?? 'lease expired', retryAt: change.at });
      }
    } catch (error) {
      emit('onError', { stage: 'recover', error: describeError(error) });
    }
  };

  const claimAndStart = async (): Promise<number> => {
    const free = settings.maxConcurrentTasks - busy.size;
    if (free <= 0 || !settings.autoExecute) return 0;
    let claims: readonly Claim[];
    try {
      claims = await sink.claim({ workerId, limit: free, leaseMs, perAgent: agentSlots() });
    } catch (error) {
      emit('onError', { stage: 'claim', error: describeError(error) });
      return 0;
    }
    if (stopping.signal.aborted) {
      // A drain began while the claim was in flight: these tasks were never started, so they go straight back.
      await Promise.all(claims.map((claim) => sink.release(claim.lease, SHUTDOWN)));
      return 0;
    }
    for (const claim of claims) {
      const task = startTask(claim, runContext);
      running.add(task);
      busy.add(task);
      // The slot frees when the agent's run ends, so the claim that refills it is issued in the same turn as the outcome's
      // write and the sink commits both together.
      void task.ran.then(() => {
        busy.delete(task);
        wake.wake();
      });
      void task.done.then(() => {
        running.delete(task);
        wake.wake();
      });
    }
    return claims.length;
  };

  /** Waits until every task this worker started has its outcome recorded, including any started meanwhile. */
  const settleRunning = async (): Promise<void> => {
    while (running.size > 0) await Promise.all([...running].map((task) => task.done));
  };

  /**
   * Whether the ledger holds nothing to run now and nothing in flight anywhere (another worker's task may yet come back
   * to the queue). Retries whose time is ahead do not count: they wait, durably, for a later run.
   */
  const nothingRunnable = async (): Promise<boolean> => {
    if (!settings.autoExecute) return true;
    const { byStatus, waitingRetries } = await sink.summary({ recentFailures: 0 });
    const unfinished = UNFINISHED.reduce((sum, status) => sum + (byStatus[status] ?? 0), 0);
    return unfinished === (waitingRetries?.count ?? 0);
  };

  /** Claims and runs until stopped; with `untilIdle`, also stops once the ledger has nothing to run now. */
  const claimLoop = async (untilIdle: () => boolean): Promise<void> => {
    while (!stopping.signal.aborted) {
      await recoverIfDue();
      const started = await claimAndStart();
      if (started === 0 && running.size === 0 && untilIdle() && (await nothingRunnable())) return;
      if (started === 0 || busy.size >= settings.maxConcurrentTasks) await wake.sleep(pollMs);
    }
  };

  /** One outbox pass; answers how many write-backs it claimed. */
  const deliverPass = (): Promise<number> =>
    deliverWriteBacks(writeBackContext).catch((error: unknown) => {
      emit('onError', { stage: 'write-back', error: describeError(error) });
      return 0;
    });

  const writeBackLoop = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      if ((await deliverPass()) === 0) await pause(pollMs, stopping.signal);
    }
  };

  /** After a drain or a finished `runOnce`: the source hears of the outcomes recorded just now. */
  const flushWriteBacks = async (): Promise<void> => {
    // Each pass claims only what is ready; a refused write-back stays claimed until its lease lapses, so this ends.
    while ((await deliverPass()) > 0);
  };

  const followSource = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      try {
        await ingestSource(ingestContext, { follow: true, signal: stopping.signal });
      } catch (error) {
        emit('onError', { stage: 'source', error: describeError(error) });
      }
      await pause(pollMs * 5, stopping.signal);
    }
  };

  const guard = (work: Promise<unknown>): Promise<unknown> => {
    finished = Promise.allSettled([finished, work]);
    return work;
  };

  return {
    workerId,
    get council() {
      return council;
    },
    replaceCouncil(next) {
      council = next;
    },
    load,
    listen,

    async run() {
      const never = () => false;
      const { rules } = options;
      const stopWatching = rules === undefined ? () => {} : watchRules({ ...rules, onCouncil: (next) => (council = next), emit });
      try {
        await guard(
          (async () => {
            await Promise.all([followSource(), claimLoop(never), writeBackLoop()]);
            await settleRunning();
            await flushWriteBacks();
          })(),
        );
      } finally {
        stopWatching();
      }
    },

    async runOnce() {
      const startedAt = Date.now();
      let ingestDone = false;
      const counts = { completed: 0, failed: 0, retried: 0 };
      const tally: DispatcherListener = {
        onTaskStatus(event) {
          if (event.to === 'completed') counts.completed += 1;
          else if (event.to === 'failed') counts.failed += 1;
          else if (event.to === 'retrying') counts.retried += 1;
        },
      };
      const stopTally = listen(tally);
      const work = (async () => {
        const ingesting = ingestSource(ingestContext, { follow: false, signal: stopping.signal }).finally(() => {
          ingestDone = true;
          wake.wake();
        });
        const claiming = claimLoop(() => ingestDone);
        let ingested: number;
        try {
          ingested = await ingesting;
        } catch (error) {
          // The source failed: stop claiming, let what runs finish, and report the failure once the worker is quiet.
          stopping.abort();
          wake.wake();
          await claiming;
          await settleRunning();
          throw error;
        }
        await claiming;
        await settleRunning();
        await flushWriteBacks();
        return ingested;
      })();
      await guard(work).finally(stopTally);
      const ingested = await work;
      return { ingested, ...counts, durationMs: Date.now() - startedAt, ledger: await sink.summary() };
    },

    async drain(graceMs = settings.drainGraceSeconds * 1000) {
      stopping.abort();
      wake.wake();
      const graceOver = setTimeout(() => {
        for (const task of running) task.release(SHUTDOWN);
      }, graceMs);
      try {
        await settleRunning();
        await finished;
      } finally {
        clearTimeout(graceOver);
      }
    },
  };
}

/** Waits `ms`, or less when `signal` aborts first: a drain must not wait out a poll. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal }).catch(() => undefined);
}
