import { KurultaiError, type Lease, type MemoryInput, type Sink } from '@kurultai/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assignment, openTestSink, queryGraph, wipeGraph } from '../test-server/test-sink.js';
import { createNeo4jSink } from './neo4j-sink.js';

let sink: Sink;
beforeEach(async () => {
  await wipeGraph();
  sink = await openTestSink();
});
afterEach(async () => {
  await sink.close();
});

const worker = { workerId: 'host:1:a', limit: 10, leaseMs: 30_000 };
const memory = (taskId: string, content = 'learned something'): MemoryInput => ({
  agent: 'coder',
  kind: 'learning',
  content,
  importance: 0.5,
  tags: ['neo4j'],
  taskId,
});

async function claimOne(taskId: string): Promise<Lease> {
  const [claim] = await sink.claim({ ...worker, limit: 1 });
  expect(claim?.lease.taskId).toBe(taskId);
  return claim!.lease;
}

describe('the graph a person opens in Neo4j Browser', () => {
  it('links a task to its agent with the decision on the ASSIGNED_TO relationship', async () => {
    await sink.ingest([assignment('t1', 'coder')]);

    const [row] = await queryGraph(
      'MATCH (t:Task {id: "t1"})-[d:ASSIGNED_TO]->(a:Agent) RETURN t.title AS title, a.id AS agent, d.score AS score, d.type AS type, d.explanation AS explanation',
    );

    expect(row).toEqual({
      title: 'Task t1',
      agent: 'coder',
      score: 5,
      type: 'general',
      explanation: 'highest-score: coder scored 5, margin 4, confidence 0.9; rules coder-rule (+5)',
    });
  });

  it("explains an orchestrator's choice with its rationale, and keeps the decision as it was given", async () => {
    const routed = assignment('t1', 'coder');
    const decision = { ...routed.decision, agent: 'tester', reason: 'orchestrator' as const, rationale: 'The work is to verify the fix.' };
    await sink.ingest([{ ...routed, decision }]);

    const [row] = await queryGraph('MATCH (:Task {id: "t1"})-[d:ASSIGNED_TO]->(a:Agent) RETURN a.id AS agent, d.explanation AS explanation');

    expect(row).toEqual({ agent: 'tester', explanation: 'orchestrator: tester, "The work is to verify the fix."; the rules\' pick scored 5, margin 4, confidence 0.9' });
    expect((await sink.getTask('t1'))?.decision).toEqual(decision);
  });

  it('chains the status history with NEXT from the first change to the latest', async () => {
    await sink.ingest([assignment('t1', 'coder')]);
    await sink.complete(await claimOne('t1'), { output: 'done', memory: memory('t1') });

    const rows = await queryGraph(
      `MATCH (t:Task {id: "t1"})-[:HAS_STATUS]->(first:StatusChange {seq: 1})
       MATCH path = (first)-[:NEXT*]->(last) WHERE NOT (last)-[:NEXT]->()
       RETURN [change IN nodes(path) | change.to] AS statuses`,
    );

    expect(rows).toEqual([{ statuses: ['pending', 'assigned', 'in_progress', 'completed'] }]);
  });

  it("hangs an agent's memory between the agent and the task it is about", async () => {
    await sink.ingest([assignment('t1', 'coder')]);
    await sink.complete(await claimOne('t1'), { output: 'done', memory: memory('t1', 'the cache needs a lock') });

    const rows = await queryGraph(
      'MATCH (:Agent {id: "coder"})-[:REMEMBERS]->(m:Memory)-[:ABOUT]->(t:Task) RETURN m.content AS content, t.id AS task',
    );

    expect(rows).toEqual([{ content: 'the cache needs a lock', task: 't1' }]);
  });

  it('keeps the write-back outbox as WriteBack nodes owed by their task', async () => {
    await sink.ingest([assignment('t1', 'coder')]);
    await sink.complete(await claimOne('t1'), { output: 'done', memory: memory('t1') });

    const rows = await queryGraph('MATCH (:Task {id: "t1"})-[:OWES]->(w:WriteBack) RETURN w.kind AS kind ORDER BY w.n');

    expect(rows).toEqual([{ kind: 'assigned' }, { kind: 'in_progress' }, { kind: 'completed' }]);
  });

  it('hangs each correction off its task, FROM the agent the task had TO the agent a person chose', async () => {
    await sink.ingest([assignment('t1', 'coder')]);
    await sink.reassign({ taskId: 't1', to: 'writer', by: 'Ada', why: 'it is prose' });

    const rows = await queryGraph(
      `MATCH (:Task {id: "t1"})-[:CORRECTED]->(c:Correction)-[:FROM]->(from:Agent), (c)-[:TO]->(to:Agent)
       RETURN from.id AS from, to.id AS to, c.by AS by, c.why AS why, c.seq AS seq`,
    );

    expect(rows).toEqual([{ from: 'coder', to: 'writer', by: 'Ada', why: 'it is prose', seq: 1 }]);
  });

  it('moves the ASSIGNED_TO relationship of a corrected task to the new agent, with the correction as its decision', async () => {
    await sink.ingest([assignment('t1', 'coder')]);
    await sink.reassign({ taskId: 't1', to: 'writer', by: 'Ada' });

    const rows = await queryGraph('MATCH (:Task {id: "t1"})-[d:ASSIGNED_TO]->(a:Agent) RETURN a.id AS agent, d.reason AS reason, d.scores AS scores');

    expect(rows).toEqual([{ agent: 'writer', reason: 'correction', scores: JSON.stringify({ coder: 5, other: 1 }) }]);
  });

  it('creates its constraints once however often init runs', async () => {
    await sink.init();
    await sink.init();

    const rows = await queryGraph('SHOW CONSTRAINTS YIELD name RETURN count(*) AS constraints');

    expect(rows).toEqual([{ constraints: 8 }]);
  });
});

describe('ingest', () => {
  it('returns only the ids it did not have, and leaves stored tasks exactly as they were', async () => {
    await sink.ingest([assignment('t1', 'coder', { title: 'first title' })]);

    const { inserted } = await sink.ingest([assignment('t1', 'writer', { title: 'changed title' }), assignment('t2', 'coder')]);

    expect(inserted).toEqual(['t2']);
    const stored = await sink.getTask('t1');
    expect([stored?.task.title, stored?.decision.agent]).toEqual(['first title', 'coder']);
  });

  it('stores untrusted task text verbatim, Cypher included', async () => {
    const title = "x'}) MATCH (n) DETACH DELETE n //";
    await sink.ingest([
      assignment('t1', 'coder', { title, description: '`;{$}`', tags: ['a"b'], properties: { nested: { list: [1, 'two'] } }, priority: 'high' }),
    ]);

    const stored = await sink.getTask('t1');

    expect(stored?.task).toEqual({
      id: 't1',
      title,
      description: '`;{$}`',
      tags: ['a"b'],
      properties: { nested: { list: [1, 'two'] } },
      priority: 'high',
      source: 'test',
    });
  });
});

describe('claims', () => {
  it('hands out the most urgent tasks first, then the oldest', async () => {
    await sink.ingest([
      assignment('low', 'coder', { priority: 'low' }),
      assignment('normal-1', 'coder'),
      assignment('critical', 'coder', { priority: 'critical' }),
      assignment('normal-2', 'coder'),
    ]);

    const claims = await sink.claim(worker);

    expect(claims.map((claim) => claim.task.id)).toEqual(['critical', 'normal-1', 'normal-2', 'low']);
  });

  it("takes no more of an agent's tasks than its free slots", async () => {
    await sink.ingest([assignment('c1', 'coder'), assignment('c2', 'coder'), assignment('w1', 'writer'), assignment('r1', 'reviewer')]);

    const claims = await sink.claim({ ...worker, perAgent: { coder: 1, writer: 0 } });

    expect(claims.map((claim) => claim.task.id).sort()).toEqual(['c1', 'r1']);
  });

  it('gives a lease from the server clock with a fresh token per claim', async () => {
    await sink.ingest([assignment('t1', 'coder')]);
    const before = Date.now();

    const lease = await claimOne('t1');

    expect(lease.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 30_000 - 1_000);
    expect(lease.token).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never hands out a task that is already in progress', async () => {
    await sink.ingest([assignment('t1', 'coder')]);
    await claimOne('t1');

    expect(await sink.claim(worker)).toEqual([]);
  });
});

describe('leases', () => {
  it('completes a task, storing its output, and records who did it', async () => {
    await sink.ingest([assignment('t1', 'coder')]);
    const lease = await claimOne('t1');

    expect(await sink.complete(lease, { output: 'the answer', memory: memory('t1') })).toBe(true);

    const stored = await sink.getTask('t1');
    expect([stored?.status, stored?.output]).toEqual(['completed', 'the answer']);
    expect((await sink.history('t1')).at(-1)).toMatchObject({ from: 'in_progress', to: 'completed', workerId: 'host:1:a' });
  });

  it('refuses a lease with a token that is not the current one', async () => {
    await sink.ingest([assignment('t1', 'coder')]);
    const lease = await claimOne('t1');

    expect(await sink.complete({ ...lease, token: crypto.randomUUID() }, { output: 'x', memory: memory('t1') })).toBe(false);
    expect((await sink.getTask('t1'))?.status).toBe('in_progress');
  });

  it('refuses a lease that expired by the server clock, and recovery makes the task runnable as the same attempt', async () => {
    await sink.ingest([assignment('t1', 'coder')]);
    const [claim] = await sink.claim({ ...worker, leaseMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(await sink.complete(claim!.lease, { output: 'late', memory: memory('t1') })).toBe(false);
    const recovered = await sink.recoverExpiredLeases();
    expect(recovered.map(({ taskId, from, to, attempt, reason }) => ({ taskId, from, to, attempt, reason }))).toEqual([
      { taskId: 't1', from: 'in_progress', to: 'retrying', attempt: 1, reason: 'lease expired' },
    ]);
    expect((await claimOne('t1')).attempt).toBe(1);
  });

  it('extends a lease it still holds', async () => {
    await sink.ingest([assignment('t1', 'coder')]);
    const lease = await claimOne('t1');

    const renewed = await sink.renew(lease, 120_000);

    expect(renewed?.expiresAt.getTime()).toBeGreaterThan(lease.expiresAt.getTime());
  });

  it('retries a failed attempt as the next attempt, not before its retry time', async () => {
    await sink.ingest([assignment('t1', 'coder')]);
    const lease = await claimOne('t1');

    await sink.fail(lease, { error: 'rate limited', retryAt: new Date(Date.now() + 60_000) });

    expect(await sink.claim(worker)).toEqual([]);
    expect(await sink.getTask('t1')).toMatchObject({ status: 'retrying', attempt: 2, error: 'rate limited' });
  });

  it('fails a task for good without a retry time, and owes the source a failed write-back', async () => {
    await sink.ingest([assignment('t1', 'coder')]);
    await sink.fail(await claimOne('t1'), { error: 'bad input' });

    const writeBacks = await sink.claimWriteBacks(worker);

    expect(writeBacks.map((pending) => pending.update)).toEqual([
      { kind: 'assigned', taskId: 't1', agent: 'coder' },
      { kind: 'in_progress', taskId: 't1', agent: 'coder', attempt: 1 },
      { kind: 'failed', taskId: 't1', agent: 'coder', error: 'bad input' },
    ]);
  });

  it('gives a released task back to be claimed again at once, as the same attempt', async () => {
    await sink.ingest([assignment('t1', 'coder')]);
    await sink.release(await claimOne('t1'), 'draining');

    expect((await claimOne('t1')).attempt).toBe(1);
  });

  it('requeues a failed task as its next attempt', async () => {
    await sink.ingest([assignment('t1', 'coder')]);
    await sink.fail(await claimOne('t1'), { error: 'boom' });

    expect(await sink.requeue('t1', 'kurultai retry')).toBe(true);
    expect(await sink.requeue('t1', 'twice')).toBe(false);
    expect((await claimOne('t1')).attempt).toBe(2);
  });

  it('applies many concurrent completions, each to its own task', async () => {
    const ids = Array.from({ length: 50 }, (_, index) => `t${index}`);
    await sink.ingest(ids.map((id) => assignment(id, 'coder')));
    const claims = await sink.claim({ ...worker, limit: 50 });

    const done = await Promise.all(claims.map((claim) => sink.complete(claim.lease, { output: claim.task.id, memory: memory(claim.task.id) })));

    expect(done.every(Boolean)).toBe(true);
    const outputs = await Promise.all(ids.map(async (id) => (await sink.getTask(id))?.output));
    expect(outputs).toEqual(ids);
  });
});

describe('write-backs', () => {
  it('offers each write-back once until its lease runs out, and never after it is acknowledged', async () => {
    await sink.ingest([assignment('t1', 'coder')]);
    await claimOne('t1');
    const claimed = await sink.claimWriteBacks(worker);

    expect(claimed).toHaveLength(2);
    expect(await sink.claimWriteBacks({ ...worker, workerId: 'other' })).toEqual([]);
    await sink.ackWriteBacks(claimed.map((pending) => pending.id));
    expect(await sink.claimWriteBacks({ ...worker, leaseMs: 1 })).toEqual([]);
  });
});

describe('memories, cursors and the summary', () => {
  it("lists an agent's memories newest first", async () => {
    await sink.ingest([assignment('t1', 'coder'), assignment('t2', 'coder')]);
    await sink.complete(await claimOne('t1'), { output: 'a', memory: memory('t1', 'older') });
    await sink.complete(await claimOne('t2'), { output: 'b', memory: memory('t2', 'newer') });

    const listed = await sink.memories('coder', { limit: 5 });

    expect(listed.map((entry) => entry.content)).toEqual(['newer', 'older']);
  });

  it('saves a source cursor and reads it back', async () => {
    expect(await sink.getCursor('notion')).toBeUndefined();
    await sink.saveCursor('notion', '2026-11-24T22:00:00Z');

    expect(await sink.getCursor('notion')).toBe('2026-11-24T22:00:00Z');
  });

  it('counts tasks by status and by agent, and lists recent failures', async () => {
    await sink.ingest([assignment('t1', 'coder'), assignment('t2', 'writer')]);
    await sink.fail(await claimOne('t1'), { error: 'boom' });

    const summary = await sink.summary();

    expect(summary.byStatus).toEqual({ assigned: 1, failed: 1 });
    expect(summary.byAgent).toEqual({ coder: { failed: 1 }, writer: { assigned: 1 } });
    expect(summary.recentFailures.map(({ taskId, agent, error }) => ({ taskId, agent, error }))).toEqual([
      { taskId: 't1', agent: 'coder', error: 'boom' },
    ]);
  });
});

describe('start-up', () => {
  it('creates the whole schema when several workers start on an empty database at once', async () => {
    for (const { name } of await queryGraph('SHOW CONSTRAINTS YIELD name')) await queryGraph(`DROP CONSTRAINT ${String(name)}`, {}, 'WRITE');
    for (const { name } of await queryGraph("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'")) {
      await queryGraph(`DROP INDEX ${String(name)}`, {}, 'WRITE');
    }

    const workers = await Promise.all([openTestSink(), openTestSink(), openTestSink()]);
    await Promise.all(workers.map((worker) => worker.close()));

    const [schema] = await queryGraph(
      "SHOW INDEXES YIELD name, type, owningConstraint WHERE type <> 'LOOKUP' RETURN count(owningConstraint) AS constraints, count(*) AS indexes",
    );
    expect(schema).toEqual({ constraints: 8, indexes: 14 });
  });

  it('opens a ledger made before corrections were recorded, keeping its tasks, and records corrections in it', async () => {
    await sink.ingest([assignment('t1', 'coder')]);
    await queryGraph('DROP CONSTRAINT correction_key', {}, 'WRITE');
    await queryGraph('DROP INDEX correction_at', {}, 'WRITE');

    const reopened = await openTestSink();
    const result = await reopened.reassign({ taskId: 't1', to: 'writer', by: 'Ada' });
    const stored = await reopened.getTask('t1');
    await reopened.close();

    expect(result).toMatchObject({ outcome: 'moved' });
    expect(stored).toMatchObject({ status: 'assigned', task: { title: 'Task t1' }, decision: { agent: 'writer' } });
    expect(await queryGraph("SHOW CONSTRAINTS YIELD name WHERE name = 'correction_key' RETURN name")).toEqual([{ name: 'correction_key' }]);
  });

  it('drops the task_status index of a ledger made by an earlier version when several workers start at once', async () => {
    await queryGraph('CREATE INDEX task_status IF NOT EXISTS FOR (t:Task) ON (t.status)', {}, 'WRITE');

    const workers = await Promise.all([openTestSink(), openTestSink(), openTestSink()]);
    await Promise.all(workers.map((worker) => worker.close()));

    expect(await queryGraph("SHOW INDEXES YIELD name WHERE name = 'task_status' RETURN name")).toEqual([]);
  });

  it('fails with neo4j.unavailable naming the server, never the password, when Neo4j cannot be reached', async () => {
    const unreachable = createNeo4jSink({ uri: 'bolt://127.0.0.1:9', username: 'kurultai', password: 'hunter2-do-not-show', retryWithinMs: 200 });

    const failure = await unreachable.init().then(() => undefined, (error: unknown) => error);
    await unreachable.close();

    expect(failure).toBeInstanceOf(KurultaiError);
    expect(failure).toMatchObject({ code: 'neo4j.unavailable', place: { plugin: 'neo4j' } });
    expect(String(failure)).toContain('bolt://127.0.0.1:9');
    expect(JSON.stringify(failure, Object.getOwnPropertyNames(failure))).not.toContain('hunter2');
  });

  it('refuses to start without a URI in the options or NEO4J_URI', () => {
    expect(() => createNeo4jSink({ env: {} })).toThrow(/no Neo4j URI: set `uri` in the sink options or NEO4J_URI/);
  });
});
