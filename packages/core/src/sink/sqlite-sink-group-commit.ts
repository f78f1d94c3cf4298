import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { describeError, KurultaiError, type Place } from '../errors.js';

/** One write: synchronous statements run inside a transaction the runner owns. */
export type SqliteWrite<T> = () => T;

interface QueuedWrite {
  readonly write: SqliteWrite<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

/**
 * Runs the sink's writes in `BEGIN IMMEDIATE` transactions, which take sqlite's write lock up front so that two processes
 * sharing the file never both read a task as free and then both claim it.
 *
 * With `batching`, writes issued in the same turn of the event loop are committed together (group commit): one lock and
 * one WAL sync for the lot. Each write runs under its own savepoint, so one that throws is rolled back alone and the
 * others still commit. Without `batching`, every write is its own transaction, which is what a benchmark compares against.
 */
export class SqliteGroupCommit {
  readonly #db: DatabaseSync;
  readonly #batching: boolean;
  readonly #place: Place;
  /** Prepared once: `exec` would parse them again for every write of every batch. */
  readonly #savepoint: { readonly open: StatementSync; readonly release: StatementSync; readonly rollback: StatementSync };
  #queue: QueuedWrite[] = [];
  #flushing: Promise<void> | undefined;

  /** `place` names the ledger in errors when a transaction cannot begin or commit (a lock held too long, a full disk). */
  constructor(db: DatabaseSync, batching: boolean, place: Place) {
    this.#db = db;
    this.#batching = batching;
    this.#place = place;
    this.#savepoint = {
      open: db.prepare('SAVEPOINT write'),
      release: db.prepare('RELEASE write'),
      rollback: db.prepare('ROLLBACK TO write'),
    };
  }

  /** Runs `write` in a transaction and answers its result once that transaction has committed. */
  run<T>(write: SqliteWrite<T>): Promise<T> {
    if (!this.#batching) return this.#runAlone(write);
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ write, resolve: resolve as (value: unknown) => void, reject });
      this.#flushing ??= new Promise<void>((done) => setImmediate(() => done(this.#flush())));
    });
  }

  /** Waits until every queued write has committed or failed. */
  async drain(): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing;
  }

  async #runAlone<T>(write: SqliteWrite<T>): Promise<T> {
    this.#begin();
    let result: T;
    try {
      result = write();
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
    this.#commit();
    return result;
  }

  #begin(): void {
    try {
      this.#db.exec('BEGIN IMMEDIATE');
    } catch (cause) {
      throw this.#failure('begin', cause);
    }
  }

  #commit(): void {
    try {
      this.#db.exec('COMMIT');
    } catch (cause) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw this.#failure('commit', cause);
    }
  }

  #failure(step: 'begin' | 'commit', cause: unknown): KurultaiError {
    const why = describeError(cause);
    return new KurultaiError('sink_write_failed', `the sqlite ledger could not ${step} a transaction: ${why}`, {
      place: this.#place,
      cause,
    });
  }

  #flush(): void {
    const batch = this.#queue;
    this.#queue = [];
    this.#flushing = undefined;
    const results: { readonly ok: boolean; readonly value: unknown }[] = [];
    try {
      this.#begin();
      for (const queued of batch) results.push(this.#runInSavepoint(queued.write));
      this.#commit();
    } catch (error) {
      for (const queued of batch) queued.reject(error);
      return;
    }
    batch.forEach((queued, index) => {
      const result = results[index];
      if (result?.ok === true) queued.resolve(result.value);
      else queued.reject(result?.value);
    });
  }

  #runInSavepoint(write: SqliteWrite<unknown>): { readonly ok: boolean; readonly value: unknown } {
    this.#savepoint.open.run();
    try {
      const value = write();
      this.#savepoint.release.run();
      return { ok: true, value };
    } catch (error) {
      this.#savepoint.rollback.run();
      this.#savepoint.release.run();
      return { ok: false, value: error };
    }
  }
}
