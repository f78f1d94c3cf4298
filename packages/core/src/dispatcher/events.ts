import type { Decision } from '../router/decision.js';
import type { SpawnEvent } from '../spawner/contract.js';
import type { WriteBack } from '../source/contract.js';
import { describeError, type Problem } from '../errors.js';

/** What every task event carries: which task, on which agent, at which attempt, and when (the dispatcher's clock). */
interface TaskEventBase {
  readonly taskId: string;
  readonly agent: string;
  readonly attempt: number;
  readonly at: Date;
}

/**
 * A task changed status (the sink's history holds the same change with its `from`). One member per target status, so a listener switching on `to` gets the fields that status has:
 * the decision on `assigned`, the output on `completed`, the error (and, when retrying, the time of the next attempt).
 */
export type TaskStatusEvent =
  | (TaskEventBase & { readonly to: 'assigned'; readonly title: string; readonly decision: Decision })
  | (TaskEventBase & { readonly to: 'in_progress'; readonly workerId: string })
  | (TaskEventBase & { readonly to: 'completed'; readonly output: string; readonly durationMs: number })
  | (TaskEventBase & {
      readonly to: 'retrying';
      /** Why the attempt ended: the run's error, `released: <why>` when a draining worker gave the task back, or `lease expired`. */
      readonly reason: string;
      readonly retryAt: Date;
    })
  | (TaskEventBase & { readonly to: 'failed'; readonly error: string });

/** Progress reported by the spawner while a task runs. */
export interface SpawnProgressEvent extends TaskEventBase {
  readonly event: SpawnEvent;
}

/** One write-back to a source: delivered, or refused (it stays in the outbox and is offered again). */
export type WriteBackEvent =
  | { readonly outcome: 'delivered'; readonly source: string; readonly update: WriteBack }
  | { readonly outcome: 'refused'; readonly source: string; readonly update: WriteBack; readonly error: string };

/** A rules reload: the new council is in force, or the edit was broken and the council in force stays. */
export type RulesReloadEvent =
  | { readonly outcome: 'applied'; readonly agents: number }
  | { readonly outcome: 'rejected'; readonly problems: readonly Problem[] };

/**
 * The rules were not sure enough of a new task's agent, and the council's fallback policy asked the orchestrator agent
 * (`ask`) to choose: it chose (`chosen`, recorded with reason `orchestrator`), or its answer could not be used and the
 * rules' decision stands (`kept`, with the cause), or the worker shut down meanwhile (`interrupted`: the task is not
 * recorded, and the next start reads it again). `confidence` and `rulesAgent` are the rules' verdict.
 */
export type FallbackEvent =
  | (FallbackEventBase & { readonly outcome: 'chosen'; readonly agent: string; readonly durationMs: number })
  | (FallbackEventBase & { readonly outcome: 'kept'; readonly cause: FallbackCause; readonly error: string; readonly durationMs: number })
  | (FallbackEventBase & { readonly outcome: 'interrupted' });

interface FallbackEventBase {
  readonly taskId: string;
  readonly ask: string;
  readonly rulesAgent: string;
  readonly confidence: number;
}

/**
 * Why the orchestrator's answer was not used: it took longer than the policy's timeout; the spawner could not run it
 * (or it failed); or it answered something other than one choice within the council.
 */
export type FallbackCause = 'timeout' | 'spawn-failed' | 'invalid-answer';

/**
 * A person's correction of a task the ledger already had, reported by its source (a changed assignee) and recorded in
 * the sink; `moved` says whether the task moved to `to` (it did not if it was running or done).
 */
export interface CorrectionEvent {
  readonly taskId: string;
  readonly from: string;
  readonly to: string;
  readonly by: string;
  readonly moved: boolean;
  /** When the sink recorded it, by the sink's clock. */
  readonly at: Date;
}

/** Something the dispatcher set aside and carried on without: a source's assignee that names no agent of the council. */
export interface DispatcherWarningEvent {
  readonly stage: 'assignee';
  readonly taskId: string;
  readonly message: string;
}

/** Something went wrong outside any one task's run (reading the source, talking to the sink); the dispatcher carries on. */
export interface DispatcherErrorEvent {
  readonly stage: 'source' | 'route' | 'claim' | 'recover' | 'sink' | 'lease' | 'write-back' | 'listener';
  readonly error: string;
  readonly taskId?: string;
}

/**
 * Listens to the dispatcher, in the shape of Vitest's `Reporter`: every hook is optional, so a listener implements only
 * what it shows. Hooks are called synchronously in the dispatcher's flow; one that throws is reported through `onError`
 * (of the other listeners) and never stops the dispatcher.
 */
export interface DispatcherListener {
  onTaskStatus?(event: TaskStatusEvent): void;
  onSpawnProgress?(event: SpawnProgressEvent): void;
  onWriteBack?(event: WriteBackEvent): void;
  onRulesReload?(event: RulesReloadEvent): void;
  onFallback?(event: FallbackEvent): void;
  onCorrection?(event: CorrectionEvent): void;
  onWarning?(event: DispatcherWarningEvent): void;
  onError?(event: DispatcherErrorEvent): void;
}

type Hook = keyof DispatcherListener;
type HookEvent<H extends Hook> = Parameters<NonNullable<DispatcherListener[H]>>[0];

/** Calls one hook on every listener, isolating the dispatcher from listeners that throw. */
export function createEmitter(listeners: readonly DispatcherListener[]) {
  const emit = <H extends Hook>(hook: H, event: HookEvent<H>): void => {
    for (const listener of listeners) {
      const handler = listener[hook] as ((event: HookEvent<H>) => void) | undefined;
      if (handler === undefined) continue;
      try {
        handler.call(listener, event);
      } catch (error) {
        if (hook === 'onError') continue;
        emit('onError', { stage: 'listener', error: describeError(error) });
      }
    }
  };
  return emit;
}

export type Emit = ReturnType<typeof createEmitter>;
