import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { z } from 'zod';
import { describeError, KurultaiError } from '../errors.js';
import { correctDecision } from '../router/correct-decision.js';
import type { Decision } from '../router/decision.js';
import type { Priority, TaskInput, TaskStatus } from '../task.js';
import {
  defineSink,
  type Assignment,
  type Claim,
  type ClaimRequest,
  type Completion,
  type Correction,
  type CorrectionsQuery,
  type Failure,
  type Lease,
  type Memory,
  type MemoryInput,
  type OwedWriteBack,
  type PendingWriteBack,
  type ReassignRequest,
  type ReassignResult,
  type Sink,
  type SinkSummary,
  type StatusChange,
  type StoredTask,
  type WaitingRetries,
} from './contract.js';
import { REASSIGNABLE_STATUSES, reassignmentReason } from './reassignment.js';
import { SqliteGroupCommit } from './sqlite-sink-group-commit.js';
import { pickRunnable } from './sqlite-sink-queue.js';
import { SQLITE_SINK_SCHEMA } from './sqlite-sink-schema.js';

/** The `sqlite` sink's options (`sink.with` in `kurultai.config.yaml`). */
export const sqliteSinkOptions = z.strictObject({
  path: z
    .string()
    .min(1)
    .default('.kurultai/ledger.sqlite')
    .describe("The ledger's file, relative to the config file's folder. Created with its folder if missing."),
  busyTimeoutMs: z
    .number()
    .int()
    .min(0)
    .default(5000)
    .describe('How long a write waits for another process holding the write lock before it fails.'),
  batchWrites: z
    .boolean()
    .default(true)
    .describe('Commit writes issued together in one transaction (group commit). Off: one transaction per write.'),
  synchronous: z
    .enum(['normal', 'full'])
    .default('normal')
    .describe("sqlite's `synchronous` pragma: `normal` survives a crashed process, `full` also a power cut."),
});

export type SqliteSinkOptions = z.output<typeof sqliteSinkOptions>;

const PRIORITY_RANK: Readonly<Record<Priority, number>> = { critical: 0, high: 1, normal: 2, low: 3 };

const PLACE = { plugin: 'sqlite' } as const;

/** A retry still waiting for its time (the parameter is now); a task released or recovered is `retrying` but due at once. */
const RETRY_WAITING = `(status = 'retrying' AND not_before > ?)`;

interface TaskRow {
  readonly task_json: string;
  readonly decision_json: string;
  readonly status: string;
  readonly attempt: number;
  readonly created_at: number;
  readonly updated_at: number;
  readonly output: string | null;
  readonly error: string | null;
}

/** A task under a lease, as much of it as putting it back in the queue needs. */
interface LeasedRow {
  readonly id: string;
  readonly attempt: number;
  readonly lease_worker: string;
}

/** A task whose lease was just settled (completed or failed), as its UPDATE returns it. */
interface SettledRow {
  readonly id: string;
  readonly attempt: number;
  readonly agent: string;
  readonly source: string;
}

/** The task a lease names, while that lease is its current one and unexpired. Parameters: task id, token, now. */
const LEASE_HELD = `id = ? AND status = 'in_progress' AND lease_token = ? AND lease_expires > ?`;

interface HistoryRow {
  readonly task_id: string;
  readonly from_status: string | null;
  readonly to_status: string;
  readonly at: number;
  readonly attempt: number;
  readonly worker_id: string | null;
  readonly reason: string | null;
}

interface MemoryRow {
  readonly id: number;
  readonly agent: string;
  readonly kind: string;
  readonly content: string;
  readonly importance: number;
  readonly tags_json: string;
  readonly task_id: string;
  readonly at: number;
}

interface WriteBackRow {
  readonly id: number;
  readonly source: string;
  readonly update_json: string;
}

/** A task as `reassign` reads it, inside its transaction. */
interface ReassignedRow {
  readonly task_json: string;
  readonly decision_json: string;
  readonly status: string;
  readonly attempt: number;
  readonly source: string;
}

interface CorrectionRow {
  readonly task_json: string;
  readonly from_agent: string;
  readonly to_agent: string;
  readonly corrected_by: string;
  readonly why: string | null;
  readonly at: number;
}

/** A correction about to be recorded: everything but its task and time. */
type CorrectionFields = Omit<Correction, 'task' | 'at'>;

/** node:sqlite types rows loosely; each query here names the columns its row type declares. */
function rowAs<Row>(row: unknown): Row {
  return row as Row;
}

/**
 * Opens the embedded ledger: a sqlite file in WAL mode on Node's built-in `node:sqlite`. Several sinks (in one process or
 * several) may open the same file; claims stay exclusive because every write takes the write lock up front.
 */
export function createSqliteSink(options: SqliteSinkOptions): Sink {
  return new SqliteSink(options);
}

class SqliteSink implements Sink {
  readonly #db: DatabaseSync;
  readonly #writes: SqliteGroupCommit;
  readonly #statements = new Map<string, StatementSync>();

  constructor(options: SqliteSinkOptions) {
    try {
      if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
      this.#db = new DatabaseSync(options.path);
      this.#db.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs}`);
      this.#db.exec('PRAGMA journal_mode = WAL');
      this.#db.exec(`PRAGMA synchronous = ${options.synchronous.toUpperCase()}`);
      // Group commit runs each write under a savepoint, and sqlite journals every page a savepoint touches so that it
      // can roll that write back alone. By default that journal spills to a temporary file past 64 KiB, which a claim of
      // dozens of tasks exceeds: two extra syscalls per page, more than the WAL itself (and why a cap of 64 ran slower
      // per task than it should). In memory it costs a copy; it holds one write's pages and never outlives a transaction.
      this.#db.exec('PRAGMA temp_store = MEMORY');
      // A checkpoint copies the WAL into the database file and waits for two fsyncs on this thread. Once per 10,000 WAL
      // pages (40 MB) rather than sqlite's default 1,000: the pages every commit rewrites (the tails of the history,
      // memories and outbox) are copied once per checkpoint, so rarer checkpoints copy and sync less per task.
      // Measured on 10,000 tasks at cap 3: 20-30% more tasks per second for the same CPU time.
      this.#db.exec('PRAGMA wal_autocheckpoint = 10000');
    } catch (cause) {
      const why = describeError(cause);
      throw new KurultaiError('sink_open_failed', `cannot open the sqlite ledger: ${why}`, {
        place: { file: options.path, ...PLACE },
        cause,
      });
    }
    this.#writes = new SqliteGroupCommit(this.#db, options.batchWrites, { file: options.path, ...PLACE });
  }

  async init(): Promise<void> {
    await this.#writes.run(() => this.#db.exec(SQLITE_SINK_SCHEMA));
  }

  async close(): Promise<void> {
    await this.#writes.drain();
    if (this.#db.isOpen) this.#db.close();
  }

  ingest(assignments: readonly Assignment[]): Promise<{ readonly inserted: readonly string[] }> {
    return this.#writes.run(() => {
      const now = Date.now();
      const inserted: string[] = [];
      for (const { task, decision, correction } of assignments) {
        const { changes } = this.#sql(
          `INSERT INTO tasks (id, source, task_json, decision_json, agent, status, attempt, priority_rank, created_at,
             updated_at, not_before) VALUES (?, ?, ?, ?, ?, 'assigned', 1, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        ).run(
          task.id,
          task.source,
          JSON.stringify(task),
          JSON.stringify(decision),
          decision.agent,
          // A third-party source may hand over a priority outside the four; it queues as normal rather than failing the batch.
          PRIORITY_RANK[task.priority ?? 'normal'] ?? PRIORITY_RANK.normal,
          now,
          now,
          now,
        );
        if (changes === 0) continue;
        inserted.push(task.id);
        this.#record({ taskId: task.id, from: null, to: 'pending', at: now, attempt: 1 });
        this.#record({ taskId: task.id, from: 'pending', to: 'assigned', at: now, attempt: 1 });
        this.#owe(task.source, { kind: 'assigned', taskId: task.id, agent: decision.agent });
        if (correction !== undefined) this.#correct(task, { ...correction, to: decision.agent }, now);
      }
      return { inserted };
    });
  }

  reassign(request: ReassignRequest): Promise<ReassignResult> {
    return this.#writes.run((): ReassignResult => {
      const now = Date.now();
      const { taskId, to, by, why } = request;
      const row = rowAs<ReassignedRow | undefined>(
        this.#sql('SELECT task_json, decision_json, status, attempt, source FROM tasks WHERE id = ?').get(taskId),
      );
      if (row === undefined) return { outcome: 'unknown_task' };
      const decision = JSON.parse(row.decision_json) as Decision;
      const status = row.status as TaskStatus;
      const fields = { from: decision.agent, to, by, ...(why === undefined ? {} : { why }) };
      const correction = this.#correct(JSON.parse(row.task_json) as TaskInput, fields, now);
      if (!REASSIGNABLE_STATUSES.includes(status) || decision.agent === to) return { outcome: 'kept', status, correction };
      this.#sql('UPDATE tasks SET decision_json = ?, agent = ?, updated_at = ? WHERE id = ?').run(
        JSON.stringify(correctDecision(decision, to, why)),
        to,
        now,
        taskId,
      );
      this.#record({ taskId, from: status, to: status, at: now, attempt: row.attempt, reason: reassignmentReason(correction) });
      this.#owe(row.source, { kind: 'assigned', taskId, agent: to });
      return { outcome: 'moved', status, correction };
    });
  }

  async corrections(options: CorrectionsQuery = {}): Promise<readonly Correction[]> {
    return this.#sql(
      `SELECT t.task_json, c.from_agent, c.to_agent, c.corrected_by, c.why, c.at FROM corrections c JOIN tasks t ON t.id = c.task_id
       WHERE c.at >= ? ORDER BY c.at, c.id LIMIT ?`,
    )
      .all(options.since?.getTime() ?? 0, options.limit ?? -1)
      .map((raw) => {
        const row = rowAs<CorrectionRow>(raw);
        return {
          task: JSON.parse(row.task_json) as TaskInput,
          from: row.from_agent,
          to: row.to_agent,
          by: row.corrected_by,
          ...(row.why === null ? {} : { why: row.why }),
          at: new Date(row.at),
        };
      });
  }

  claim(request: ClaimRequest): Promise<readonly Claim[]> {
    return this.#writes.run(() => {
      const now = Date.now();
      const expiresAt = now + request.leaseMs;
      const claims: Claim[] = [];
      for (const row of pickRunnable((text) => this.#sql(text), request, now)) {
        const token = randomUUID();
        const claimed = rowAs<{ task_json: string; decision_json: string; attempt: number; source: string }>(
          this.#sql(
            `UPDATE tasks SET status = 'in_progress', lease_token = ?, lease_worker = ?, lease_expires = ?, updated_at = ?
             WHERE id = ? RETURNING task_json, decision_json, attempt, source`,
          ).get(token, request.workerId, expiresAt, now, row.id),
        );
        const from = row.status as TaskStatus;
        this.#record({ taskId: row.id, from, to: 'in_progress', at: now, attempt: claimed.attempt, workerId: request.workerId });
        this.#owe(claimed.source, { kind: 'in_progress', taskId: row.id, agent: row.agent, attempt: claimed.attempt });
        claims.push({
          lease: { taskId: row.id, attempt: claimed.attempt, workerId: request.workerId, token, expiresAt: new Date(expiresAt) },
          task: JSON.parse(claimed.task_json) as TaskInput,
          decision: JSON.parse(claimed.decision_json) as Decision,
        });
      }
      return claims;
    });
  }

  renew(lease: Lease, leaseMs: number): Promise<Lease | null> {
    return this.#writes.run(() => {
      const now = Date.now();
      const expiresAt = now + leaseMs;
      const { changes } = this.#sql(
        `UPDATE tasks SET lease_expires = ? WHERE id = ? AND status = 'in_progress' AND lease_token = ? AND lease_expires > ?`,
      ).run(expiresAt, lease.taskId, lease.token, now);
      return changes === 0 ? null : { ...lease, expiresAt: new Date(expiresAt) };
    });
  }

  complete(lease: Lease, outcome: Completion): Promise<boolean> {
    return this.#writes.run(() => {
      const now = Date.now();
      const held = rowAs<SettledRow | undefined>(
        this.#sql(
          `UPDATE tasks SET status = 'completed', output = ?, error = NULL, updated_at = ?, lease_token = NULL,
             lease_worker = NULL, lease_expires = NULL WHERE ${LEASE_HELD} RETURNING id, attempt, agent, source`,
        ).get(outcome.output, now, lease.taskId, lease.token, now),
      );
      if (held === undefined) return false;
      this.#record({
        taskId: held.id,
        from: 'in_progress',
        to: 'completed',
        at: now,
        attempt: held.attempt,
        workerId: lease.workerId,
      });
      this.#remember(outcome.memory, now);
      this.#owe(held.source, { kind: 'completed', taskId: held.id, agent: held.agent, output: outcome.output });
      return true;
    });
  }

  fail(lease: Lease, outcome: Failure): Promise<boolean> {
    return this.#writes.run(() => {
      const now = Date.now();
      const retrying = outcome.retryAt !== undefined;
      const to: TaskStatus = retrying ? 'retrying' : 'failed';
      const held = rowAs<SettledRow | undefined>(
        this.#sql(
          `UPDATE tasks SET status = ?, attempt = attempt + ?, not_before = ?, error = ?, updated_at = ?, lease_token = NULL,
             lease_worker = NULL, lease_expires = NULL WHERE ${LEASE_HELD} RETURNING id, attempt, agent, source`,
        ).get(to, retrying ? 1 : 0, outcome.retryAt?.getTime() ?? now, outcome.error, now, lease.taskId, lease.token, now),
      );
      if (held === undefined) return false;
      this.#record({
        taskId: held.id,
        from: 'in_progress',
        to,
        at: now,
        attempt: held.attempt,
        workerId: lease.workerId,
        reason: outcome.error,
      });
      if (outcome.memory !== undefined) this.#remember(outcome.memory, now);
      if (!retrying) this.#owe(held.source, { kind: 'failed', taskId: held.id, agent: held.agent, error: outcome.error });
      return true;
    });
  }

  release(lease: Lease, reason: string): Promise<boolean> {
    return this.#writes.run(() => {
      const now = Date.now();
      const held = this.#heldTask(lease, now);
      if (held === undefined) return false;
      this.#backToQueue(held, now, reason);
      return true;
    });
  }

  recoverExpiredLeases(): Promise<readonly StatusChange[]> {
    return this.#writes.run(() => {
      const now = Date.now();
      const expired = this.#sql(
        `SELECT id, attempt, lease_worker FROM tasks WHERE status = 'in_progress' AND lease_expires <= ?`,
      )
        .all(now)
        .map((row) => rowAs<LeasedRow>(row));
      return expired.map((row) => this.#backToQueue(row, now, 'lease expired'));
    });
  }

  /** `in_progress` → `retrying` with the same attempt, runnable at once: the task was not finished, only interrupted. */
  #backToQueue(row: LeasedRow, now: number, reason: string): StatusChange {
    this.#sql(
      `UPDATE tasks SET status = 'retrying', not_before = ?, updated_at = ?, lease_token = NULL, lease_worker = NULL,
         lease_expires = NULL WHERE id = ?`,
    ).run(now, now, row.id);
    const change: StatusChange = {
      taskId: row.id,
      from: 'in_progress',
      to: 'retrying',
      at: new Date(now),
      attempt: row.attempt,
      workerId: row.lease_worker,
      reason,
    };
    this.#record({ ...change, at: now });
    return change;
  }

  requeue(taskId: string, reason: string): Promise<boolean> {
    return this.#writes.run(() => {
      const now = Date.now();
      const row = rowAs<{ attempt: number } | undefined>(
        this.#sql(
          `UPDATE tasks SET status = 'retrying', attempt = attempt + 1, not_before = ?, updated_at = ?
           WHERE id = ? AND status = 'failed' RETURNING attempt`,
        ).get(now, now, taskId),
      );
      if (row === undefined) return false;
      this.#record({ taskId, from: 'failed', to: 'retrying', at: now, attempt: row.attempt, reason });
      return true;
    });
  }

  claimWriteBacks(request: ClaimRequest): Promise<readonly PendingWriteBack[]> {
    return this.#writes.run(() => {
      const now = Date.now();
      if (request.limit <= 0) return [];
      const rows = this.#sql(
        `UPDATE write_backs SET lease_token = ?, lease_expires = ? WHERE id IN (
           SELECT id FROM write_backs WHERE lease_expires IS NULL OR lease_expires <= ? ORDER BY id LIMIT ?)
         RETURNING id, source, update_json`,
      )
        .all(randomUUID(), now + request.leaseMs, now, request.limit)
        .map((row) => rowAs<WriteBackRow>(row))
        .sort((a, b) => a.id - b.id);
      return rows.map((row) => ({ id: String(row.id), source: row.source, update: JSON.parse(row.update_json) as OwedWriteBack }));
    });
  }

  async ackWriteBacks(ids: readonly string[]): Promise<void> {
    await this.#writes.run(() => {
      for (const id of ids) this.#sql('DELETE FROM write_backs WHERE id = ?').run(Number(id));
    });
  }

  async getCursor(source: string): Promise<string | undefined> {
    const row = rowAs<{ cursor: string } | undefined>(this.#sql('SELECT cursor FROM cursors WHERE source = ?').get(source));
    return row?.cursor;
  }

  async saveCursor(source: string, cursor: string): Promise<void> {
    await this.#writes.run(() =>
      this.#sql(
        'INSERT INTO cursors (source, cursor) VALUES (?, ?) ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor',
      ).run(source, cursor),
    );
  }

  async getTask(taskId: string): Promise<StoredTask | undefined> {
    const row = rowAs<TaskRow | undefined>(
      this.#sql(
        'SELECT task_json, decision_json, status, attempt, created_at, updated_at, output, error FROM tasks WHERE id = ?',
      ).get(taskId),
    );
    if (row === undefined) return undefined;
    return {
      task: JSON.parse(row.task_json) as TaskInput,
      decision: JSON.parse(row.decision_json) as Decision,
      status: row.status as TaskStatus,
      attempt: row.attempt,
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
      ...(row.output === null ? {} : { output: row.output }),
      ...(row.error === null ? {} : { error: row.error }),
    };
  }

  async history(taskId: string): Promise<readonly StatusChange[]> {
    return this.#sql(
      'SELECT task_id, from_status, to_status, at, attempt, worker_id, reason FROM task_history WHERE task_id = ? ORDER BY id',
    )
      .all(taskId)
      .map((raw) => {
        const row = rowAs<HistoryRow>(raw);
        return {
          taskId: row.task_id,
          from: row.from_status as TaskStatus | null,
          to: row.to_status as TaskStatus,
          at: new Date(row.at),
          attempt: row.attempt,
          ...(row.worker_id === null ? {} : { workerId: row.worker_id }),
          ...(row.reason === null ? {} : { reason: row.reason }),
        };
      });
  }

  async memories(agent: string, options: { readonly limit?: number } = {}): Promise<readonly Memory[]> {
    return this.#sql(
      `SELECT id, agent, kind, content, importance, tags_json, task_id, at FROM memories WHERE agent = ?
       ORDER BY at DESC, id DESC LIMIT ?`,
    )
      .all(agent, options.limit ?? -1)
      .map((raw) => {
        const row = rowAs<MemoryRow>(raw);
        return {
          id: String(row.id),
          agent: row.agent,
          kind: row.kind as Memory['kind'],
          content: row.content,
          importance: row.importance,
          tags: JSON.parse(row.tags_json) as string[],
          taskId: row.task_id,
          at: new Date(row.at),
        };
      });
  }

  async summary(options: { readonly recentFailures?: number } = {}): Promise<SinkSummary> {
    const byStatus: Partial<Record<TaskStatus, number>> = {};
    const byAgent: Record<string, Partial<Record<TaskStatus, number>>> = {};
    let waitingRetries: WaitingRetries | null = null;
    // One statement, so the waiting retries are counted in the same snapshot as the statuses they are part of.
    const counts = this.#sql(
      `SELECT agent, status, count(*) AS n, sum(${RETRY_WAITING}) AS waiting, min(CASE WHEN ${RETRY_WAITING} THEN not_before END) AS next_due
       FROM tasks GROUP BY agent, status`,
    );
    const now = Date.now();
    for (const raw of counts.all(now, now)) {
      const row = rowAs<{ agent: string; status: TaskStatus; n: number; waiting: number; next_due: number | null }>(raw);
      byStatus[row.status] = (byStatus[row.status] ?? 0) + row.n;
      byAgent[row.agent] = { ...byAgent[row.agent], [row.status]: row.n };
      if (row.next_due !== null) waitingRetries = addWaiting(waitingRetries, row.waiting, new Date(row.next_due));
    }
    const recentFailures = this.#sql(
      `SELECT id, agent, error, updated_at FROM tasks WHERE status = 'failed' ORDER BY updated_at DESC, rowid DESC LIMIT ?`,
    )
      .all(options.recentFailures ?? 5)
      .map((raw) => {
        const row = rowAs<{ id: string; agent: string; error: string | null; updated_at: number }>(raw);
        return { taskId: row.id, agent: row.agent, error: row.error ?? '', at: new Date(row.updated_at) };
      });
    return { byStatus, byAgent, recentFailures, waitingRetries };
  }

  /** The task the lease names, if that lease is still its current one and unexpired. */
  #heldTask(lease: Lease, now: number): LeasedRow | undefined {
    return rowAs<LeasedRow | undefined>(
      this.#sql(`SELECT id, attempt, lease_worker FROM tasks WHERE ${LEASE_HELD}`).get(
        lease.taskId,
        lease.token,
        now,
      ),
    );
  }

  #record(change: Omit<StatusChange, 'at'> & { readonly at: number }): void {
    this.#sql(
      'INSERT INTO task_history (task_id, from_status, to_status, at, attempt, worker_id, reason) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(change.taskId, change.from, change.to, change.at, change.attempt, change.workerId ?? null, change.reason ?? null);
  }

  #remember(memory: MemoryInput, now: number): void {
    this.#sql('INSERT INTO memories (agent, kind, content, importance, tags_json, task_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      memory.agent,
      memory.kind,
      memory.content,
      memory.importance,
      JSON.stringify(memory.tags),
      memory.taskId,
      now,
    );
  }

  #correct(task: TaskInput, fields: CorrectionFields, now: number): Correction {
    this.#sql('INSERT INTO corrections (task_id, from_agent, to_agent, corrected_by, why, at) VALUES (?, ?, ?, ?, ?, ?)').run(
      task.id,
      fields.from,
      fields.to,
      fields.by,
      fields.why ?? null,
      now,
    );
    return { task, ...fields, at: new Date(now) };
  }

  #owe(source: string, update: OwedWriteBack): void {
    this.#sql('INSERT INTO write_backs (source, update_json) VALUES (?, ?)').run(source, JSON.stringify(update));
  }

  /** Prepared once per connection: the same few statements run for every task. */
  #sql(text: string): StatementSync {
    let statement = this.#statements.get(text);
    if (statement === undefined) {
      statement = this.#db.prepare(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }
}

/**
 * The built-in `sqlite` sink: an embedded ledger in one file, shared safely by several worker processes on one machine.
 * Relative paths are resolved against the config file's folder.
 */
export const sqliteSink = defineSink({
  name: 'sqlite',
  options: sqliteSinkOptions,
  create: (options, context) =>
    createSqliteSink({ ...options, path: options.path === ':memory:' ? options.path : resolve(context.baseDir, options.path) }),
});

/** Adds one agent's waiting retries to those counted so far. */
function addWaiting(sofar: WaitingRetries | null, count: number, nextDueAt: Date): WaitingRetries {
  if (sofar === null) return { count, nextDueAt };
  return { count: sofar.count + count, nextDueAt: nextDueAt < sofar.nextDueAt ? nextDueAt : sofar.nextDueAt };
}
