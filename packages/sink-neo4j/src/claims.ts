import { type Claim, type ClaimRequest, KurultaiError, type OwedWriteBack, type PendingWriteBack } from '@kurultai/core';
import neo4j from 'neo4j-driver';
import { type GraphConnection, type GraphTransaction, PLUGIN_PLACE } from './graph-connection.js';
import { QUEUES, TASK_QUEUE_KEYS_PRESENT, TASK_QUEUE_SEEK } from './graph-schema.js';
import { oweWriteBack, recordStatusChange } from './graph-writes.js';
import { readDecision, readTaskInput, readTime, TASK_RECORD_PROJECTION, type TaskRecordFields } from './task-records.js';

/**
 * Claims, safe with many workers on one Neo4j.
 *
 * Neo4j reads take no locks, and a write that waits for a lock does not re-check the `WHERE` that selected its node, so
 * `MATCH (t) WHERE t.status = 'assigned' SET t.status = 'in_progress'` lets two workers claim one task. Here each claim
 * first writes to its queue's node (`(:Queue {name: 'tasks'})`): that takes the queue's write lock, held to the end of
 * the transaction, so claims run one at a time. Only then, in the next statement, does it select and claim: Neo4j reads
 * the latest committed data, so it sees every earlier claim, and no other claim can interleave. Only a claim moves a task
 * out of `assigned`/`retrying`, so nothing else can invalidate the selection. A claim is one short transaction over a
 * batch of tasks, so serialising them costs little and avoids the deadlocks and lost races of workers grabbing the
 * same first tasks.
 */

/**
 * Picks the tasks to claim, walking the `task_queue` index in claim order (priority, then age) and stopping after
 * `$limit` tasks, so it reads only what it may take: the first `$limit` runnable tasks of agents without a slot count, and for each agent with
 * one (`$capped`), its first `slots` tasks; then the most urgent and oldest of all those. Agents with no free slot are
 * in `$named` but not in `$capped`, so they get nothing.
 */
const SELECT_TASKS = `
CALL () {
  MATCH (t:Task) ${TASK_QUEUE_SEEK} WHERE t.status = 'assigned' AND ${TASK_QUEUE_KEYS_PRESENT} AND NOT t.agent IN $named
  RETURN t ORDER BY t.status, t.priorityRank, t.createdAt, t.position LIMIT $limit
  UNION ALL
  MATCH (t:Task) ${TASK_QUEUE_SEEK} WHERE t.status = 'retrying' AND ${TASK_QUEUE_KEYS_PRESENT} AND t.notBefore <= timestamp() AND NOT t.agent IN $named
  RETURN t ORDER BY t.status, t.priorityRank, t.createdAt, t.position LIMIT $limit
  UNION ALL
  UNWIND $capped AS cap
  CALL (cap) {
    MATCH (t:Task) WHERE t.agent = cap.agent AND t.status IN ['assigned', 'retrying']
      AND (t.status = 'assigned' OR t.notBefore <= timestamp())
    WITH t ORDER BY t.priorityRank, t.createdAt, t.position LIMIT $limit
    WITH cap, collect(t) AS queue
    RETURN queue[..cap.slots] AS queue
  }
  UNWIND queue AS t
  RETURN t
}
WITH t ORDER BY t.priorityRank, t.createdAt, t.position, t.id LIMIT $limit`;

const CLAIM_TASKS = `${SELECT_TASKS}
MATCH (t)-[d:ASSIGNED_TO]->(a:Agent)
WITH t, d, a, t.status AS from
SET t.status = 'in_progress', t.workerId = $workerId, t.leaseToken = randomUUID(),
    t.leaseExpiresAt = timestamp() + $leaseMs, t.updatedAt = timestamp()
${recordStatusChange({ from: 'from', to: "'in_progress'", workerId: '$workerId' })}
${oweWriteBack('in_progress')}
RETURN ${TASK_RECORD_PROJECTION}
ORDER BY t.priorityRank, t.createdAt, t.position, t.id`;

export async function claimTasks(graph: GraphConnection, request: ClaimRequest): Promise<readonly Claim[]> {
  if (request.limit <= 0) return [];
  const perAgent = request.perAgent ?? {};
  const capped = Object.entries(perAgent)
    .filter(([, slots]) => slots > 0)
    .map(([agent, slots]) => ({ agent, slots: neo4j.int(Math.min(slots, request.limit)) }));
  const records = await graph.write('claim', async (tx) => {
    await lockQueue(tx, QUEUES.tasks);
    const result = await tx.run(CLAIM_TASKS, {
      workerId: request.workerId,
      limit: neo4j.int(request.limit),
      leaseMs: neo4j.int(request.leaseMs),
      named: Object.keys(perAgent),
      capped,
    });
    return result.records.map((record) => record.toObject() as unknown as TaskRecordFields);
  });
  return records.map(({ task, decision, agent }) => ({
    task: readTaskInput(task),
    decision: readDecision(decision, agent),
    lease: {
      taskId: String(task.id),
      attempt: Number(task.attempt),
      workerId: request.workerId,
      token: String(task.leaseToken),
      expiresAt: readTime(task.leaseExpiresAt),
    },
  }));
}

/**
 * A write-back is offered once nobody holds a live lease on it, and only if no earlier write-back of the same task is
 * being sent by someone else, so a source never hears `completed` before `in_progress`. A claim takes a task's owed
 * write-backs in order. `ackWriteBacks` does not take the queue lock, so the claim re-checks each candidate after
 * locking it.
 */
const SELECT_WRITE_BACKS = `
MATCH (w:WriteBack)
WHERE w.delivered = false AND coalesce(w.leaseExpiresAt, 0) <= timestamp()
  AND NOT EXISTS {
    MATCH (earlier:WriteBack {taskId: w.taskId, delivered: false})
    WHERE earlier.n < w.n AND earlier.leaseExpiresAt > timestamp()
  }
WITH w ORDER BY w.createdAt, w.taskId, w.n LIMIT $limit
WITH w ORDER BY w.id
SET w.lockedAt = timestamp()
RETURN w.id AS id`;

const CLAIM_WRITE_BACKS = `
UNWIND $ids AS id
MATCH (w:WriteBack {id: id})
WHERE w.delivered = false AND coalesce(w.leaseExpiresAt, 0) <= timestamp()
SET w.workerId = $workerId, w.leaseExpiresAt = timestamp() + $leaseMs
RETURN w {.*} AS writeBack
ORDER BY w.createdAt, w.taskId, w.n`;

export async function claimWriteBacks(graph: GraphConnection, request: ClaimRequest): Promise<readonly PendingWriteBack[]> {
  if (request.limit <= 0) return [];
  const rows = await graph.write('claimWriteBacks', async (tx) => {
    await lockQueue(tx, QUEUES.writeBacks);
    const selected = await tx.run(SELECT_WRITE_BACKS, { limit: neo4j.int(request.limit) });
    const ids = selected.records.map((record) => record.get('id') as string);
    if (ids.length === 0) return [];
    const claimed = await tx.run(CLAIM_WRITE_BACKS, { ids, workerId: request.workerId, leaseMs: neo4j.int(request.leaseMs) });
    return claimed.records.map((record) => record.get('writeBack') as Record<string, unknown>);
  });
  return rows.map((row) => ({ id: String(row.id), source: String(row.source), update: readWriteBack(row) }));
}

export async function ackWriteBacks(graph: GraphConnection, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await graph.write('ackWriteBacks', (tx) =>
    tx.run(
      `UNWIND $ids AS id MATCH (w:WriteBack {id: id})
       SET w.delivered = true, w.deliveredAt = timestamp(), w.leaseExpiresAt = null`,
      { ids: [...ids].sort() },
    ),
  );
}

function readWriteBack(row: Readonly<Record<string, unknown>>): OwedWriteBack {
  const taskId = String(row.taskId);
  const agent = String(row.agent);
  switch (row.kind) {
    case 'assigned':
      return { kind: 'assigned', taskId, agent };
    case 'in_progress':
      return { kind: 'in_progress', taskId, agent, attempt: Number(row.attempt) };
    case 'completed':
      return { kind: 'completed', taskId, agent, output: String(row.output) };
    case 'failed':
      return { kind: 'failed', taskId, agent, error: String(row.error) };
    default:
      // Only this package writes WriteBack nodes; another kind means someone edited the graph by hand.
      throw new KurultaiError('neo4j.unknown-write-back', `write-back ${String(row.id)} has an unknown kind ${JSON.stringify(row.kind)}`, {
        place: { ...PLUGIN_PLACE, taskId },
      });
  }
}

/** Writes to a queue's node, taking its write lock until the transaction ends: claims of that queue wait meanwhile. */
export async function lockQueue(tx: GraphTransaction, queue: string): Promise<void> {
  await tx.run('MERGE (q:Queue {name: $queue}) SET q.lockedAt = timestamp()', { queue });
}
