import { pluginDefiner, type PluginDefinition } from '../plugin.js';
import type { Decision } from '../router/decision.js';
import type { WriteBack } from '../source/contract.js';
import type { TaskInput, TaskStatus } from '../task.js';

/**
 * The sink contract: the system of record. It stores every task with its assignment and decision, every status change,
 * the agents' memories, the sources' cursors and the write-backs still owed to sources, and it hands out work through
 * atomic claims with leases, so several workers (processes, machines) can share one sink and no task runs twice at once.
 *
 * Rules every sink keeps (the conformance suite in `@kurultai/core/testing` checks them):
 * - Each method that changes a task's status does so in one transaction with its history entry and its write-back.
 * - Methods that take a `Lease` act only while that lease is the task's current one (same token, not expired by the
 *   sink's clock); otherwise they change nothing and answer `false`/`null`: the caller has lost the task.
 * - Times come from the sink's clock (the database server's, for a shared sink), never the caller's.
 */
export interface Sink {
  /** Creates tables, constraints and indexes if they are missing. Idempotent; called once before anything else. */
  init(): Promise<void>;
  close(): Promise<void>;

  /**
   * Records routed tasks: each new id is stored as `pending`, then `assigned` to its decision's agent with attempt 1
   * (two history entries), and its source is owed an `assigned` write-back. An assignment with a `correction` also
   * records that correction, in the same transaction. Ids the sink already has are left exactly as they are. Returns the
   * ids that were new.
   */
  ingest(assignments: readonly Assignment[]): Promise<{ readonly inserted: readonly string[] }>;

  /**
   * Records a person's correction: the task should have gone to `request.to`. The correction is recorded whatever the
   * task's status (it is a label routing learns from), with the task's agent until now as `from` and the sink's clock
   * as `at`. In the same transaction, a task that is not running (`REASSIGNABLE_STATUSES`: `pending`, `assigned`,
   * `retrying`, `failed`) moves: its decision becomes `correctDecision(decision, request.to, request.why)` (reason
   * `correction`, confidence 1, the old scores and matched rules kept), a history entry records the move with the status
   * unchanged and the reason `reassignmentReason(correction)`, and its source is owed an `assigned` write-back. The next
   * claim of the task (for a `failed` one, after `requeue`) runs it on the new agent.
   * A task `in_progress` or `completed`, or one already on `request.to`, does not move. An id the sink does not have
   * records nothing and answers `unknown_task`.
   */
  reassign(request: ReassignRequest): Promise<ReassignResult>;

  /**
   * The corrections recorded (by `reassign`, and by `ingest` for assignments carrying one), oldest first, each with its
   * task as the source first delivered it: the labelled examples routing learns from.
   */
  corrections(options?: CorrectionsQuery): Promise<readonly Correction[]>;

  /**
   * Atomically claims up to `limit` runnable tasks (`assigned`, or `retrying` whose `notBefore` has passed), most urgent
   * priority first, then oldest. Each becomes `in_progress` under a new lease held by `workerId`. The attempt number is
   * not changed by a claim: a task whose lease expired runs again as the same attempt, with the same idempotency key.
   */
  claim(request: ClaimRequest): Promise<readonly Claim[]>;

  /** Extends a lease to `leaseMs` from now. Null when the lease was lost. */
  renew(lease: Lease, leaseMs: number): Promise<Lease | null>;

  /** `in_progress` → `completed`, storing the output and the agent's memory. */
  complete(lease: Lease, outcome: Completion): Promise<boolean>;

  /**
   * With `retryAt`: `in_progress` → `retrying`, attempt + 1, runnable from `retryAt`. Without: → `failed`.
   * The error is stored on the task and in the history entry; the memory, if given, is stored too.
   */
  fail(lease: Lease, outcome: Failure): Promise<boolean>;

  /** Gives a task back unfinished (a draining worker): `in_progress` → `retrying`, same attempt, runnable at once. */
  release(lease: Lease, reason: string): Promise<boolean>;

  /**
   * Every `in_progress` task whose lease has expired (its worker died or stalled) → `retrying`, same attempt, runnable
   * at once, with reason `lease expired`. Returns the changes made.
   */
  recoverExpiredLeases(): Promise<readonly StatusChange[]>;

  /** A `failed` task → `retrying` with attempt + 1, runnable at once (`kurultai retry`). False if it was not failed. */
  requeue(taskId: string, reason: string): Promise<boolean>;

  /** Write-backs owed to sources, claimed under a lease like tasks so that two workers never send the same one. */
  claimWriteBacks(request: ClaimRequest): Promise<readonly PendingWriteBack[]>;
  /** Marks write-backs as delivered; they are never offered again. */
  ackWriteBacks(ids: readonly string[]): Promise<void>;

  getCursor(source: string): Promise<string | undefined>;
  saveCursor(source: string, cursor: string): Promise<void>;

  getTask(taskId: string): Promise<StoredTask | undefined>;
  /** A task's status changes, oldest first. */
  history(taskId: string): Promise<readonly StatusChange[]>;
  /** An agent's memories, newest first. */
  memories(agent: string, options?: { readonly limit?: number }): Promise<readonly Memory[]>;
  /** Counts for `kurultai status`, and the retries still waiting for their time (what `kurultai run --once` leaves). */
  summary(options?: { readonly recentFailures?: number }): Promise<SinkSummary>;
}

export interface Assignment {
  readonly task: TaskInput;
  readonly decision: Decision;
  /**
   * Set when a person chose the agent before the task was first recorded (a source's `assignee`): `decision` is then
   * already the person's choice (`correctDecision`), and `from` the router's. Ignored for a task the sink already has.
   */
  readonly correction?: AssignmentCorrection;
}

/** Who corrected the router on a task not yet recorded, and from which agent. */
export interface AssignmentCorrection {
  /** The agent the router chose. */
  readonly from: string;
  readonly by: string;
  readonly why?: string;
}

/** "This task should go to agent `to`": `kurultai reassign`, or a source reporting a person's choice. */
export interface ReassignRequest {
  readonly taskId: string;
  /** The agent's id in the council. */
  readonly to: string;
  /** Who says so: a person's name, or a source's id of the user. */
  readonly by: string;
  /** Why, in their words; it becomes the decision's rationale. */
  readonly why?: string;
}

/** What `reassign` did. Every outcome but `unknown_task` recorded the correction; `status` is the task's, unchanged. */
export type ReassignResult =
  | { readonly outcome: 'moved'; readonly status: TaskStatus; readonly correction: Correction }
  /** The task stays where it is: it is `in_progress` or `completed`, or it was already on that agent. */
  | { readonly outcome: 'kept'; readonly status: TaskStatus; readonly correction: Correction }
  | { readonly outcome: 'unknown_task' };

/** A correction as the ledger keeps it: a task, the agent it had, and the agent a person says it should have had. */
export interface Correction {
  /** The task as its source first delivered it (title, description, tags, ...): what the router read. */
  readonly task: TaskInput;
  /** The task's agent before the correction (for one made before the task was recorded, the router's choice). */
  readonly from: string;
  readonly to: string;
  /** Who made it: a person's name, or a source's id of the user. */
  readonly by: string;
  readonly why?: string;
  /** When it was recorded, by the sink's clock. */
  readonly at: Date;
}

export interface CorrectionsQuery {
  /** Only corrections recorded at or after this time. */
  readonly since?: Date;
  /** At most this many: the oldest ones. */
  readonly limit?: number;
}

export interface ClaimRequest {
  /** Unique per worker process, e.g. `host:pid:random`. */
  readonly workerId: string;
  readonly limit: number;
  readonly leaseMs: number;
  /**
   * The most tasks of each agent this claim may take (the agent's free slots). Agents not named are limited by
   * `limit` alone; an agent named with 0 gets none. Ignored by `claimWriteBacks`.
   */
  readonly perAgent?: Readonly<Record<string, number>>;
}

export interface Lease {
  readonly taskId: string;
  readonly attempt: number;
  readonly workerId: string;
  /** Fresh for every claim; a lease is only honoured with the token the claim returned. */
  readonly token: string;
  readonly expiresAt: Date;
}

export interface Claim {
  readonly lease: Lease;
  readonly task: TaskInput;
  readonly decision: Decision;
}

export interface Completion {
  readonly output: string;
  readonly memory: MemoryInput;
}

export interface Failure {
  readonly error: string;
  readonly retryAt?: Date;
  readonly memory?: MemoryInput;
}

export interface StatusChange {
  readonly taskId: string;
  readonly from: TaskStatus | null;
  readonly to: TaskStatus;
  readonly at: Date;
  /** The task's attempt after the change: a move to `retrying` for a new attempt carries that new attempt's number. */
  readonly attempt: number;
  readonly workerId?: string;
  readonly reason?: string;
}

export interface StoredTask {
  readonly task: TaskInput;
  readonly decision: Decision;
  readonly status: TaskStatus;
  readonly attempt: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly output?: string;
  readonly error?: string;
}

export type MemoryKind = 'learning' | 'observation';

export interface MemoryInput {
  readonly agent: string;
  readonly kind: MemoryKind;
  readonly content: string;
  /** 0 to 1. */
  readonly importance: number;
  readonly tags: readonly string[];
  readonly taskId: string;
}

export interface Memory extends MemoryInput {
  readonly id: string;
  readonly at: Date;
}

export interface PendingWriteBack {
  readonly id: string;
  /** The source instance that owns the task. */
  readonly source: string;
  readonly update: OwedWriteBack;
}

/**
 * A write-back as the outbox keeps it: agents by id only. The dispatcher adds an `assigned` one's `agentName` when it
 * delivers it, from the council then in force, so a renamed agent shows under its new name.
 */
export type OwedWriteBack = Exclude<WriteBack, AssignedWriteBack> | Omit<AssignedWriteBack, 'agentName'>;

type AssignedWriteBack = Extract<WriteBack, { readonly kind: 'assigned' }>;

export interface SinkSummary {
  readonly byStatus: Readonly<Partial<Record<TaskStatus, number>>>;
  readonly byAgent: Readonly<Record<string, Readonly<Partial<Record<TaskStatus, number>>>>>;
  /** The latest failed tasks, newest first. */
  readonly recentFailures: readonly { readonly taskId: string; readonly agent: string; readonly error: string; readonly at: Date }[];
  /**
   * The `retrying` tasks whose retry time is still ahead by the sink's clock (their backoff is running), read in the same
   * snapshot as the counts; null when none wait. The other `retrying` tasks are runnable now.
   */
  readonly waitingRetries: WaitingRetries | null;
}

/** Retries that are not due yet: a run that stops now leaves them for a later one. */
export interface WaitingRetries {
  readonly count: number;
  /** The earliest retry time among them. */
  readonly nextDueAt: Date;
}

export type SinkPlugin<Options = unknown> = PluginDefinition<'sink', Options, Sink>;

/** Declares a sink plugin: the default export of a package named in `sink.use`. */
export const defineSink = pluginDefiner<'sink', Sink>('sink');
