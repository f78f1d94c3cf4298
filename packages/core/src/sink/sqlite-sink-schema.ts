import type { DatabaseSync } from 'node:sqlite';
import { KurultaiError, type Place } from '../errors.js';

/**
 * The version of the tables below, kept in the file's `user_version`. Version 0 is a file this code has not touched, or
 * one written before the task and decision moved out of `tasks` (version 1), which {@link prepareSqliteSchema} migrates.
 */
export const SQLITE_SINK_SCHEMA_VERSION = 1;

/**
 * The sqlite ledger's tables. Times are milliseconds since the epoch from the writing process's clock; every process
 * sharing one file runs on one machine, so they share that clock.
 *
 * `tasks.not_before` is when the task may next be claimed (its creation for a fresh task, `retryAt` for a retry), so one
 * pair of partial indexes serves every claim: the queue is the tasks `assigned` or `retrying`, in priority then age order,
 * whole or agent by agent.
 *
 * A task's own text and its routing decision never change after ingest, so they live in `task_payloads`, written once,
 * and not in `tasks`, whose row is rewritten at every status change: a narrow row lets the tasks one claim or one group
 * commit touches share a few pages, and each page a commit touches is copied whole into the WAL. Payloads are keyed by
 * the task's `seq` (ingest order), not its id, so that ingest appends them instead of scattering them through a b-tree
 * of text keys. `seq` is declared, not the implicit rowid, because VACUUM may renumber an implicit rowid.
 */
export const SQLITE_SINK_SCHEMA = `
CREATE TABLE IF NOT EXISTS tasks (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL,
  agent TEXT NOT NULL,
  status TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  priority_rank INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  not_before INTEGER NOT NULL,
  lease_token TEXT,
  lease_worker TEXT,
  lease_expires INTEGER,
  output TEXT,
  error TEXT
);
CREATE INDEX IF NOT EXISTS tasks_queue ON tasks (priority_rank, created_at) WHERE status IN ('assigned', 'retrying');
CREATE INDEX IF NOT EXISTS tasks_queue_by_agent ON tasks (agent, priority_rank, created_at) WHERE status IN ('assigned', 'retrying');
CREATE INDEX IF NOT EXISTS tasks_leases ON tasks (lease_expires) WHERE status = 'in_progress';
CREATE INDEX IF NOT EXISTS tasks_failed ON tasks (updated_at) WHERE status = 'failed';

CREATE TABLE IF NOT EXISTS task_payloads (
  task_seq INTEGER PRIMARY KEY,
  task_json TEXT NOT NULL,
  decision_json TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS task_history (
  id INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL,
  from_status TEXT,
  to_status TEXT NOT NULL,
  at INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  worker_id TEXT,
  reason TEXT
);
CREATE INDEX IF NOT EXISTS task_history_task ON task_history (task_id, id);

CREATE TABLE IF NOT EXISTS memories (
  id INTEGER PRIMARY KEY,
  agent TEXT NOT NULL,
  kind TEXT NOT NULL,
  content TEXT NOT NULL,
  importance REAL NOT NULL,
  tags_json TEXT NOT NULL,
  task_id TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS memories_agent ON memories (agent, at, id);

CREATE TABLE IF NOT EXISTS cursors (
  source TEXT PRIMARY KEY,
  cursor TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS write_backs (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  update_json TEXT NOT NULL,
  lease_token TEXT,
  lease_expires INTEGER
);
`;

/**
 * Version 0 to 1, before the version 1 tables are created: the version 0 `tasks` table (task and decision inline, no `seq`
 * column) steps aside with its indexes, whose names the version 1 tables take.
 */
const SET_ASIDE_VERSION_0_TASKS = `
ALTER TABLE tasks RENAME TO tasks_version_0;
DROP INDEX IF EXISTS tasks_queue;
DROP INDEX IF EXISTS tasks_queue_by_agent;
DROP INDEX IF EXISTS tasks_leases;
DROP INDEX IF EXISTS tasks_failed;
`;

/** Version 0 to 1, once the version 1 tables exist: each task keeps its place in the queue (its rowid becomes `seq`). */
const MOVE_VERSION_0_TASKS = `
INSERT INTO tasks (seq, id, source, agent, status, attempt, priority_rank, created_at, updated_at, not_before, lease_token,
  lease_worker, lease_expires, output, error)
SELECT rowid, id, source, agent, status, attempt, priority_rank, created_at, updated_at, not_before, lease_token,
  lease_worker, lease_expires, output, error FROM tasks_version_0;
INSERT INTO task_payloads (task_seq, task_json, decision_json) SELECT rowid, task_json, decision_json FROM tasks_version_0;
DROP TABLE tasks_version_0;
`;

/**
 * Brings the ledger's tables to {@link SQLITE_SINK_SCHEMA_VERSION}: creates them in a new file, migrates a file an
 * earlier version wrote, and refuses a file a later version wrote rather than misread it. Runs inside the caller's
 * write transaction, so processes opening one file together migrate it once.
 */
export function prepareSqliteSchema(db: DatabaseSync, place: Place): void {
  const version = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
  if (version > SQLITE_SINK_SCHEMA_VERSION) {
    throw new KurultaiError(
      'sink_schema_unsupported',
      `the sqlite ledger has schema version ${version}, written by a newer Kurultai; ` +
        `this one reads up to version ${SQLITE_SINK_SCHEMA_VERSION}`,
      { place },
    );
  }
  const fromVersion0 = version === 0 && hasColumn(db, 'tasks', 'task_json');
  if (fromVersion0) db.exec(SET_ASIDE_VERSION_0_TASKS);
  db.exec(SQLITE_SINK_SCHEMA);
  if (fromVersion0) db.exec(MOVE_VERSION_0_TASKS);
  db.exec(`PRAGMA user_version = ${SQLITE_SINK_SCHEMA_VERSION}`);
}

function hasColumn(db: DatabaseSync, table: string, column: string): boolean {
  return db.prepare('SELECT 1 FROM pragma_table_info(?) WHERE name = ?').get(table, column) !== undefined;
}
