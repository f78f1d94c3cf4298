import {
  correctDecision,
  KurultaiError,
  REASSIGNABLE_STATUSES,
  reassignmentReason,
  type Assignment,
  type Correction,
  type CorrectionsQuery,
  type Logger,
  type Memory,
  type ReassignRequest,
  type ReassignResult,
  type Sink,
  type SinkSummary,
  type StatusChange,
  type StoredTask,
  type TaskStatus,
  type WaitingRetries,
} from '@kurultai/core';
import neo4j, { type Record as Neo4jRecord } from 'neo4j-driver';
import { ackWriteBacks, claimTasks, claimWriteBacks, lockQueue } from './claims.js';
import { displayUri, type Neo4jSinkOptions, resolveConnectionSettings } from './connection-settings.js';
import { type GraphConnection, openGraphConnection, PLUGIN_PLACE } from './graph-connection.js';
import { createGraphSchema, QUEUES, TASK_QUEUE_KEYS_PRESENT, TASK_QUEUE_SEEK } from './graph-schema.js';
import { oweWriteBack, recordCorrection, recordStatusChange } from './graph-writes.js';
import { leaseTransitions } from './lease-transitions.js';
import {
  decisionProperties,
  readDecision,
  readStatus,
  readTaskInput,
  readTime,
  TASK_RECORD_PROJECTION,
  type TaskRecordFields,
  toAssignmentRow,
} from './task-records.js';

/** Options of `createNeo4jSink`: the connection settings, and where to take what they leave out. */
export interface CreateNeo4jSinkOptions extends Neo4jSinkOptions {
  /** Supplies `NEO4J_URI`, `NEO4J_USERNAME`, `NEO4J_PASSWORD`, `NEO4J_DATABASE` for settings not given. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logger?: Logger;
  /** How long a call keeps retrying while Neo4j is unreachable (a restart, a failover). Default 60 s. */
  readonly retryWithinMs?: number;
}

/**
 * A Kurultai sink on Neo4j: the ledger and the agents' memory graph. See the package README for the graph model.
 *
 * @example
 * const sink = createNeo4jSink({ uri: 'neo4j://localhost:7687', username: 'neo4j', password: process.env.NEO4J_PASSWORD });
 * await sink.init();
 */
export function createNeo4jSink(options: CreateNeo4jSinkOptions = {}): Sink {
  const settings = resolveConnectionSettings(options, options.env ?? process.env);
  if ('missing' in settings) {
    throw new KurultaiError('neo4j.no-uri', 'no Neo4j URI: set `uri` in the sink options or NEO4J_URI in the environment', {
      place: PLUGIN_PLACE,
    });
  }
  const graph = openGraphConnection(settings, { retryWithinMs: options.retryWithinMs });
  const leases = leaseTransitions(graph);

  return {
    async init() {
      await createGraphSchema(graph);
      options.logger?.info('Neo4j sink ready', { uri: displayUri(settings.uri), database: settings.database ?? '(default)' });
    },
    close: () => graph.close(),
    ingest: (assignments) => ingest(graph, assignments),
    claim: (request) => claimTasks(graph, request),
    renew: leases.renew,
    complete: leases.complete,
    fail: leases.fail,
    release: leases.release,
    recoverExpiredLeases: () => recoverExpiredLeases(graph),
    requeue: (taskId, reason) => requeue(graph, taskId, reason),
    reassign: (request) => reassign(graph, request),
    corrections: (query) => corrections(graph, query),
    claimWriteBacks: (request) => claimWriteBacks(graph, request),
    ackWriteBacks: (ids) => ackWriteBacks(graph, ids),
    getCursor: (source) => getCursor(graph, source),
    saveCursor: (source, cursor) => saveCursor(graph, source, cursor),
    getTask: (taskId) => getTask(graph, taskId),
    history: (taskId) => history(graph, taskId),
    memories: (agent, query) => memories(graph, agent, query?.limit),
    summary: (query) => summary(graph, query?.recentFailures ?? 10),
  };
}

/**
 * `MERGE` on the unique task id takes the id's index lock, so two workers ingesting the same task never both create it.
 * A node this statement created is recognisable by its `pending` status: every committed task has moved past it.
 */
const INGEST = `
UNWIND $rows AS row
MERGE (t:Task {id: row.id})
ON CREATE SET t.status = 'pending'
WITH t, row WHERE t.status = 'pending'
MERGE (a:Agent {id: row.agent})
CREATE (t)-[:ASSIGNED_TO]->(a)
SET t += row.task, t.agent = row.agent, t.status = 'assigned', t.attempt = 1, t.position = row.position, t.historyLength = 2,
    t.createdAt = timestamp(), t.updatedAt = timestamp()
WITH t, a, row
MATCH (t)-[d:ASSIGNED_TO]->(a)
SET d += row.decision, d.at = timestamp()
CREATE (t)-[:HAS_STATUS]->(created:StatusChange {taskId: t.id, seq: 1, from: null, to: 'pending', at: timestamp(), attempt: 1})
CREATE (t)-[:HAS_STATUS]->(assigned:StatusChange {taskId: t.id, seq: 2, from: 'pending', to: 'assigned', at: timestamp(), attempt: 1})
CREATE (created)-[:NEXT]->(assigned)
${oweWriteBack('assigned')}
WITH *
CALL (t, row) {
  WITH t, row.correction AS correction WHERE correction IS NOT NULL
  ${recordCorrection('correction')}
}
RETURN t.id AS id`;

async function ingest(graph: GraphConnection, assignments: readonly Assignment[]): Promise<{ readonly inserted: readonly string[] }> {
  // A batch naming one id twice keeps the first, as a second ingest of that id would.
  const seen = new Set<string>();
  const rows = assignments.filter(({ task }) => !seen.has(task.id) && seen.add(task.id)).map(toAssignmentRow);
  if (rows.length === 0) return { inserted: [] };
  const inserted = await graph.write('ingest', async (tx) =>
    (await tx.run(INGEST, { rows: rows.map((row) => ({ ...row, position: neo4j.int(row.position) })) })).records.map(
      (record) => record.get('id') as string,
    ),
  );
  const created = new Set(inserted);
  return { inserted: rows.map((row) => row.id).filter((id) => created.has(id)) };
}

const RETRY_AT_ONCE = "SET t.status = 'retrying', t.notBefore = timestamp(), t.updatedAt = timestamp()";

const RECOVER_EXPIRED = `
UNWIND $ids AS id
MATCH (t:Task {id: id})
WHERE t.status = 'in_progress' AND t.leaseExpiresAt <= timestamp()
WITH t, t.workerId AS workerId
${RETRY_AT_ONCE}, t.leaseToken = null, t.leaseExpiresAt = null
${recordStatusChange({ from: "'in_progress'", to: "'retrying'", workerId: 'workerId', reason: "'lease expired'" })}
RETURN change {.*} AS change`;

async function recoverExpiredLeases(graph: GraphConnection): Promise<readonly StatusChange[]> {
  const changes = await graph.write('recoverExpiredLeases', async (tx) => {
    // Lock first (in id order), then re-check: a lease may have been renewed or finished since the first read.
    const expired = await tx.run(
      `MATCH (t:Task) ${TASK_QUEUE_SEEK}
       WHERE t.status = 'in_progress' AND ${TASK_QUEUE_KEYS_PRESENT} AND t.leaseExpiresAt <= timestamp()
       WITH t ORDER BY t.id SET t.lockedAt = timestamp() RETURN t.id AS id`,
    );
    const ids = expired.records.map((record) => record.get('id') as string);
    if (ids.length === 0) return [];
    return (await tx.run(RECOVER_EXPIRED, { ids })).records.map((record) => record.get('change') as Record<string, unknown>);
  });
  return changes.map(readStatusChange);
}

const REQUEUE = `
MATCH (t:Task {id: $taskId}) WHERE t.status = 'failed'
SET t.attempt = t.attempt + 1, t.error = null
${RETRY_AT_ONCE}
${recordStatusChange({ from: "'failed'", to: "'retrying'", reason: '$reason' })}
RETURN t.id AS id`;

async function requeue(graph: GraphConnection, taskId: string, reason: string): Promise<boolean> {
  return graph.write('requeue', async (tx) => {
    await tx.run('MATCH (t:Task {id: $taskId}) SET t.lockedAt = timestamp()', { taskId });
    return (await tx.run(REQUEUE, { taskId, reason })).records.length > 0;
  });
}

/** Records a correction of the task `$taskId`, whatever its status; answers when, by Neo4j's clock. */
const CORRECT = `
MATCH (t:Task {id: $taskId})
WITH t, $correction AS correction
${recordCorrection('correction')}
RETURN recorded.at AS at`;

/** Moves the task `$taskId` to the agent `$to` with the decision `$decision`: a task not running, corrected. */
const MOVE = `
MATCH (t:Task {id: $taskId})-[routed:ASSIGNED_TO]->(:Agent)
DELETE routed
MERGE (a:Agent {id: $to})
CREATE (t)-[d:ASSIGNED_TO]->(a)
SET d = $decision, d.at = timestamp(), t.agent = $to, t.updatedAt = timestamp()
${recordStatusChange({ from: 't.status', to: 't.status', reason: '$reason' })}
${oweWriteBack('assigned')}`;

async function reassign(graph: GraphConnection, request: ReassignRequest): Promise<ReassignResult> {
  const { taskId, to, by, why } = request;
  return graph.write('reassign', async (tx): Promise<ReassignResult> => {
    // Lock first, then read. The task queue's lock orders this with claims, which read a task's decision before they
    // lock the task: a claim never hands out the agent a correction has just replaced. The task's lock orders it with
    // another correction, and with the lease transitions.
    await lockQueue(tx, QUEUES.tasks);
    await tx.run('MATCH (t:Task {id: $taskId}) SET t.lockedAt = timestamp()', { taskId });
    const found = await tx.run(`MATCH (t:Task {id: $taskId})-[d:ASSIGNED_TO]->(a:Agent) RETURN ${TASK_RECORD_PROJECTION}`, { taskId });
    const record = found.records[0]?.toObject() as TaskRecordFields | undefined;
    if (record === undefined) return { outcome: 'unknown_task' };
    const decision = readDecision(record.decision, record.agent);
    const status = readStatus(record.task.status);
    const fields = { from: decision.agent, to, by, ...(why === undefined ? {} : { why }) };
    const corrected = await tx.run(CORRECT, { taskId, correction: { ...fields, why: why ?? null } });
    const correction: Correction = { task: readTaskInput(record.task), ...fields, at: readTime(corrected.records[0]?.get('at')) };
    if (!REASSIGNABLE_STATUSES.includes(status) || decision.agent === to) return { outcome: 'kept', status, correction };
    const moved = decisionProperties(correctDecision(decision, to, why));
    await tx.run(MOVE, { taskId, to, decision: moved, reason: reassignmentReason(correction) });
    return { outcome: 'moved', status, correction };
  });
}

async function corrections(graph: GraphConnection, query: CorrectionsQuery = {}): Promise<readonly Correction[]> {
  const rows = await graph.read('corrections', async (tx) => {
    const result = await tx.run(
      `MATCH (t:Task)-[:CORRECTED]->(c:Correction) WHERE c.at >= $since
       RETURN t {.*} AS task, c {.*} AS correction ORDER BY c.at, c.taskId, c.seq
       ${query.limit === undefined ? '' : 'LIMIT $limit'}`,
      { since: neo4j.int(query.since?.getTime() ?? 0), limit: neo4j.int(Math.max(0, query.limit ?? 0)) },
    );
    return result.records.map((record) => record.toObject() as { task: Record<string, unknown>; correction: Record<string, unknown> });
  });
  return rows.map(({ task, correction }) => ({
    task: readTaskInput(task),
    from: String(correction.from),
    to: String(correction.to),
    by: String(correction.by),
    ...(correction.why == null ? {} : { why: String(correction.why) }),
    at: readTime(correction.at),
  }));
}

async function getCursor(graph: GraphConnection, source: string): Promise<string | undefined> {
  const cursor = await graph.read('getCursor', async (tx) => {
    const result = await tx.run('MATCH (c:Cursor {source: $source}) RETURN c.cursor AS cursor', { source });
    return result.records[0]?.get('cursor') as string | undefined;
  });
  return cursor ?? undefined;
}

async function saveCursor(graph: GraphConnection, source: string, cursor: string): Promise<void> {
  await graph.write('saveCursor', (tx) =>
    tx.run('MERGE (c:Cursor {source: $source}) SET c.cursor = $cursor, c.savedAt = timestamp()', { source, cursor }),
  );
}

async function getTask(graph: GraphConnection, taskId: string): Promise<StoredTask | undefined> {
  const found = await graph.read('getTask', async (tx) => {
    const result = await tx.run(`MATCH (t:Task {id: $taskId})-[d:ASSIGNED_TO]->(a:Agent) RETURN ${TASK_RECORD_PROJECTION}`, { taskId });
    return result.records[0]?.toObject() as TaskRecordFields | undefined;
  });
  if (found === undefined) return undefined;
  const { task, decision, agent } = found;
  return {
    task: readTaskInput(task),
    decision: readDecision(decision, agent),
    status: readStatus(task.status),
    attempt: Number(task.attempt),
    createdAt: readTime(task.createdAt),
    updatedAt: readTime(task.updatedAt),
    ...(task.output == null ? {} : { output: String(task.output) }),
    ...(task.error == null ? {} : { error: String(task.error) }),
  };
}

async function history(graph: GraphConnection, taskId: string): Promise<readonly StatusChange[]> {
  const changes = await graph.read('history', async (tx) => {
    const result = await tx.run(
      'MATCH (:Task {id: $taskId})-[:HAS_STATUS]->(change:StatusChange) RETURN change {.*} AS change ORDER BY change.seq',
      { taskId },
    );
    return result.records.map((record) => record.get('change') as Record<string, unknown>);
  });
  return changes.map(readStatusChange);
}

function readStatusChange(change: Readonly<Record<string, unknown>>): StatusChange {
  return {
    taskId: String(change.taskId),
    from: change.from == null ? null : readStatus(change.from),
    to: readStatus(change.to),
    at: readTime(change.at),
    attempt: Number(change.attempt),
    ...(change.workerId == null ? {} : { workerId: String(change.workerId) }),
    ...(change.reason == null ? {} : { reason: String(change.reason) }),
  };
}

async function memories(graph: GraphConnection, agent: string, limit: number | undefined): Promise<readonly Memory[]> {
  const rows = await graph.read('memories', async (tx) => {
    const result = await tx.run(
      `MATCH (:Agent {id: $agent})-[:REMEMBERS]->(m:Memory) RETURN m {.*} AS memory ORDER BY m.at DESC, m.seq DESC
       ${limit === undefined ? '' : 'LIMIT $limit'}`,
      { agent, limit: neo4j.int(Math.max(0, limit ?? 0)) },
    );
    return result.records.map((record) => record.get('memory') as Record<string, unknown>);
  });
  return rows.map((memory) => ({
    id: String(memory.id),
    agent: String(memory.agent),
    kind: memory.kind as Memory['kind'],
    content: String(memory.content),
    importance: Number(memory.importance),
    tags: (memory.tags as unknown[] | null ?? []).map(String),
    taskId: String(memory.taskId),
    at: readTime(memory.at),
  }));
}

async function summary(graph: GraphConnection, recentFailures: number): Promise<SinkSummary> {
  return graph.read('summary', async (tx) => {
    const counts = await tx.run(
      'MATCH (t:Task)-[:ASSIGNED_TO]->(a:Agent) RETURN a.id AS agent, t.status AS status, count(*) AS tasks ORDER BY agent, status',
    );
    const failures = await tx.run(
      `MATCH (t:Task)-[:ASSIGNED_TO]->(a:Agent) ${TASK_QUEUE_SEEK} WHERE t.status = 'failed' AND ${TASK_QUEUE_KEYS_PRESENT}
       RETURN t.id AS taskId, a.id AS agent, t.error AS error, t.updatedAt AS at ORDER BY t.updatedAt DESC, t.id LIMIT $limit`,
      { limit: neo4j.int(Math.max(0, recentFailures)) },
    );
    const waiting = await tx.run(
      `MATCH (t:Task) ${TASK_QUEUE_SEEK} WHERE t.status = 'retrying' AND ${TASK_QUEUE_KEYS_PRESENT} AND t.notBefore > timestamp()
       RETURN count(t) AS count, min(t.notBefore) AS nextDueAt`,
    );
    const byStatus: Partial<Record<TaskStatus, number>> = {};
    const byAgent: Record<string, Partial<Record<TaskStatus, number>>> = {};
    for (const record of counts.records) {
      const agent = record.get('agent') as string;
      const status = readStatus(record.get('status'));
      const tasks = Number(record.get('tasks'));
      byStatus[status] = (byStatus[status] ?? 0) + tasks;
      byAgent[agent] = { ...byAgent[agent], [status]: tasks };
    }
    return {
      byStatus,
      byAgent,
      recentFailures: failures.records.map((record) => ({
        taskId: record.get('taskId') as string,
        agent: record.get('agent') as string,
        error: String(record.get('error')),
        at: readTime(record.get('at')),
      })),
      waitingRetries: readWaitingRetries(waiting.records[0]),
    };
  });
}

function readWaitingRetries(record: Neo4jRecord | undefined): WaitingRetries | null {
  const count = Number(record?.get('count') ?? 0);
  return count === 0 ? null : { count, nextDueAt: readTime(record?.get('nextDueAt')) };
}
