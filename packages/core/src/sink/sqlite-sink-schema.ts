/**
 * The sqlite ledger's tables. Times are milliseconds since the epoch from the writing process's clock; every process
 * sharing one file runs on one machine, so they share that clock.
 *
 * `tasks.not_before` is when the task may next be claimed (its creation for a fresh task, `retryAt` for a retry), so one
 * pair of partial indexes serves every claim: the queue is the tasks `assigned` or `retrying`, in priority then age order,
 * whole or agent by agent.
 *
 * Every statement is `IF NOT EXISTS`, so `init()` also brings a ledger made by an earlier version up to date: a table
 * added since (`corrections`) is created beside the data already there.
 */
export const SQLITE_SINK_SCHEMA = `
CREATE TABLE IF NOT EXISTS tasks (
  id TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  task_json TEXT NOT NULL,
  decision_json TEXT NOT NULL,
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

CREATE TABLE IF NOT EXISTS corrections (
  id INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL,
  from_agent TEXT NOT NULL,
  to_agent TEXT NOT NULL,
  corrected_by TEXT NOT NULL,
  why TEXT,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS corrections_at ON corrections (at, id);

CREATE TABLE IF NOT EXISTS write_backs (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  update_json TEXT NOT NULL,
  lease_token TEXT,
  lease_expires INTEGER
);
`;
