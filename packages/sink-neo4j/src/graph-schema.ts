import { KurultaiError } from '@kurultai/core';
import { Neo4jError } from 'neo4j-driver';
import type { GraphConnection } from './graph-connection.js';

/**
 * Constraints and indexes of the ledger graph. Each is `IF NOT EXISTS` (so `init()` is idempotent and several workers
 * may run it at once) and each runs in its own transaction, as Neo4j requires for schema changes.
 */
const SCHEMA: readonly string[] = [
  'CREATE CONSTRAINT task_id IF NOT EXISTS FOR (t:Task) REQUIRE t.id IS UNIQUE',
  'CREATE CONSTRAINT agent_id IF NOT EXISTS FOR (a:Agent) REQUIRE a.id IS UNIQUE',
  'CREATE CONSTRAINT memory_id IF NOT EXISTS FOR (m:Memory) REQUIRE m.id IS UNIQUE',
  'CREATE CONSTRAINT status_change_key IF NOT EXISTS FOR (s:StatusChange) REQUIRE (s.taskId, s.seq) IS UNIQUE',
  'CREATE CONSTRAINT write_back_id IF NOT EXISTS FOR (w:WriteBack) REQUIRE w.id IS UNIQUE',
  'CREATE CONSTRAINT cursor_source IF NOT EXISTS FOR (c:Cursor) REQUIRE c.source IS UNIQUE',
  'CREATE CONSTRAINT queue_name IF NOT EXISTS FOR (q:Queue) REQUIRE q.name IS UNIQUE',
  'CREATE CONSTRAINT correction_key IF NOT EXISTS FOR (c:Correction) REQUIRE (c.taskId, c.seq) IS UNIQUE',
  // Claims walk this index in claim order (see claims.ts); the second serves agents with a slot count.
  'CREATE INDEX task_queue IF NOT EXISTS FOR (t:Task) ON (t.status, t.priorityRank, t.createdAt, t.position)',
  'CREATE INDEX task_agent_queue IF NOT EXISTS FOR (t:Task) ON (t.agent, t.status)',
  'CREATE INDEX write_back_delivered IF NOT EXISTS FOR (w:WriteBack) ON (w.delivered)',
  'CREATE INDEX write_back_task IF NOT EXISTS FOR (w:WriteBack) ON (w.taskId)',
  'CREATE INDEX memory_at IF NOT EXISTS FOR (m:Memory) ON (m.at)',
  'CREATE INDEX correction_at IF NOT EXISTS FOR (c:Correction) ON (c.at)',
  // A single-property status index served what `task_queue` (status first) serves, and cost every status change an
  // index update; ledgers made by earlier versions lose it.
  'DROP INDEX task_status IF EXISTS',
];

/**
 * Makes a `MATCH (t:Task)` seek the `task_queue` index by status. `SEEK`, because a plain `USING INDEX` still let Neo4j
 * plan a scan of the whole index (every task ever stored) filtered by status, seen with PROFILE; and the hint keeps it
 * from planning a label scan when the ledger was small the first time it planned the query (plans are cached).
 * `TASK_QUEUE_KEYS_PRESENT` must be in the `WHERE` too: a composite index holds only nodes that have all its properties.
 */
export const TASK_QUEUE_SEEK = 'USING INDEX SEEK t:Task(status, priorityRank, createdAt, position)';
export const TASK_QUEUE_KEYS_PRESENT = 't.priorityRank IS NOT NULL AND t.createdAt IS NOT NULL AND t.position IS NOT NULL';

/** The two claim queues. Each claim first writes to its queue's node, which serialises claims (see `claims.ts`). */
export const QUEUES = { tasks: 'tasks', writeBacks: 'write-backs' } as const;

export async function createGraphSchema(graph: GraphConnection): Promise<void> {
  for (const statement of SCHEMA) {
    await graph.write('init', (tx) => tx.run(statement)).catch(ignoreDoneMeanwhile);
  }
  await graph.write('init', (tx) =>
    tx.run('UNWIND $names AS name MERGE (:Queue {name: name})', { names: Object.values(QUEUES) }),
  );
  await graph.read('init', (tx) => tx.run('CALL db.awaitIndexes(300)'));
}

/**
 * `IF NOT EXISTS` and `IF EXISTS` are decided when the statement starts, so when several workers start at once, one may
 * find at commit that another has just created (or dropped) the same rule. That is the outcome it wanted.
 */
function ignoreDoneMeanwhile(error: unknown): void {
  const cause = error instanceof KurultaiError ? error.cause : error;
  if (cause instanceof Neo4jError && /AlreadyExists|IndexDropFailed|IndexNotFound/.test(cause.code)) return;
  throw error;
}
