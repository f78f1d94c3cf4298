import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { correctDecision } from '../router/correct-decision.js';
import type { Assignment, Correction, Lease, Sink } from '../sink/contract.js';
import type { TaskStatus } from '../task.js';
import { CONFORMANCE_SOURCE, sampleAssignment, sampleMemory, sleepPast, waitFor } from './conformance-fixtures.js';

/** One empty store (a database file, a Neo4j database) that a test opens sinks on. */
export interface SinkTestStore {
  /**
   * Opens another sink on this store, as a separate worker process would: its own connection, driver or client. The suite
   * calls `init()` on each sink it opens and `close()` on each when the test ends.
   */
  openSink(): Promise<Sink>;
  /** Frees the store once its sinks are closed (deletes the file, drops the data). */
  dispose(): Promise<void>;
}

/** What a sink plugin hands the sink conformance suite. */
export interface SinkConformanceHarness {
  /** A fresh, empty store for one test. Tests run one after another, so a store may reuse one server. */
  createStore(): Promise<SinkTestStore>;
  /** The lease the suite lets expire, in milliseconds. Default 300; raise it for a sink whose round trips are slow. */
  shortLeaseMs?: number;
}

const LONG_LEASE_MS = 60_000;

/**
 * The sink conformance suite: every sink, built-in or third-party, runs it against itself to show that it keeps the rules
 * written on the `Sink` contract: idempotent ingest, exclusive claims across several sink instances on one store, leases
 * that expire and renew, the status history, memories, cursors, the write-back outbox and the summary.
 *
 * @example
 * ```ts
 * describeSinkConformance('sqlite', {
 *   createStore: async () => {
 *     const file = join(await mkdtemp(join(tmpdir(), 'ledger-')), 'ledger.sqlite');
 *     return { openSink: async () => createSqliteSink({ ...defaults, path: file }), dispose: async () => {} };
 *   },
 * });
 * ```
 */
export function describeSinkConformance(name: string, harness: SinkConformanceHarness): void {
  const shortLeaseMs = harness.shortLeaseMs ?? 300;

  describe(`sink conformance: ${name}`, () => {
    let store: SinkTestStore;
    let opened: Sink[] = [];

    beforeEach(async () => {
      store = await harness.createStore();
    });

    afterEach(async () => {
      for (const sink of opened) await sink.close();
      opened = [];
      await store.dispose();
    });

    async function openSink(): Promise<Sink> {
      const sink = await store.openSink();
      opened.push(sink);
      await sink.init();
      return sink;
    }

    async function claimOne(sink: Sink, leaseMs = LONG_LEASE_MS, workerId = 'worker-a'): Promise<Lease> {
      const [claim] = await sink.claim({ workerId, limit: 1, leaseMs });
      if (claim === undefined) throw new Error('expected a task to claim, found none');
      return claim.lease;
    }

    async function statusOf(sink: Sink, taskId: string): Promise<TaskStatus | undefined> {
      return (await sink.getTask(taskId))?.status;
    }

    /** Ingests one task at a time a few milliseconds apart, so that claims take them in this order on any sink. */
    async function ingestInOrder(sink: Sink, assignments: readonly Assignment[]): Promise<void> {
      for (const assignment of assignments) {
        await sink.ingest([assignment]);
        await sleepPast(new Date(), 5);
      }
    }

    /** Claims the only runnable task and lets its lease expire without recovering it. */
    async function expiredLease(sink: Sink): Promise<Lease> {
      const lease = await claimOne(sink, shortLeaseMs);
      await sleepPast(lease.expiresAt);
      return lease;
    }

    describe('ingest', () => {
      it('stores each new task as assigned at attempt 1 and answers the ids that were new', async () => {
        const sink = await openSink();
        const { inserted } = await sink.ingest([sampleAssignment('t1'), sampleAssignment('t2', { agent: 'builder' })]);
        expect([...inserted].sort()).toEqual(['t1', 't2']);
        const stored = await sink.getTask('t2');
        expect(stored).toMatchObject({ status: 'assigned', attempt: 1, task: { id: 't2', title: 'Task t2' } });
        expect(stored?.decision.agent).toBe('builder');
        expect(stored?.createdAt).toBeInstanceOf(Date);
      });

      it('records a new task as pending, then assigned, both at attempt 1', async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('t1')]);
        const history = await sink.history('t1');
        expect(history.map((change) => [change.from, change.to, change.attempt])).toEqual([
          [null, 'pending', 1],
          ['pending', 'assigned', 1],
        ]);
      });

      it('leaves a task it already has exactly as it is, even when delivered again with other text', async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('t1', { title: 'First wording' })]);
        await claimOne(sink);
        const { inserted } = await sink.ingest([sampleAssignment('t1', { title: 'Edited wording', agent: 'builder' })]);
        expect(inserted).toEqual([]);
        const stored = await sink.getTask('t1');
        expect(stored).toMatchObject({
          status: 'in_progress',
          task: { title: 'First wording' },
          decision: { agent: 'researcher' },
        });
        expect(await sink.history('t1')).toHaveLength(3);
      });

      it('inserts each task once when several sink instances ingest the same tasks at the same time', async () => {
        const sinks = [await openSink(), await openSink(), await openSink()];
        const assignments = Array.from({ length: 60 }, (_, i) => sampleAssignment(`t${i}`));
        const results = await Promise.all(
          sinks.flatMap((sink) => [sink.ingest(assignments), sink.ingest([...assignments].reverse())]),
        );
        const inserted = results.flatMap((result) => result.inserted);
        expect([...inserted].sort()).toEqual(assignments.map((assignment) => assignment.task.id).sort());
        expect(await sinks[0]?.history('t7')).toHaveLength(2);
      });

      it('counts a task repeated within one batch once', async () => {
        const sink = await openSink();
        const { inserted } = await sink.ingest([sampleAssignment('t1'), sampleAssignment('t1')]);
        expect(inserted).toEqual(['t1']);
        expect(await sink.history('t1')).toHaveLength(2);
      });

      it('answers undefined for an unknown task and an empty history', async () => {
        const sink = await openSink();
        expect(await sink.getTask('missing')).toBeUndefined();
        expect(await sink.history('missing')).toEqual([]);
      });

      it('keeps everything when init runs again on a store already in use', async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('t1')]);
        await sink.init();
        expect(await statusOf(sink, 't1')).toBe('assigned');
      });
    });

    describe('claims', () => {
      it('moves a claimed task to in_progress under a lease held by the claiming worker', async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('t1')]);
        const claims = await sink.claim({ workerId: 'worker-a', limit: 5, leaseMs: LONG_LEASE_MS });
        expect(claims).toHaveLength(1);
        const [claim] = claims;
        expect(claim?.task.id).toBe('t1');
        expect(claim?.decision.agent).toBe('researcher');
        expect(claim?.lease).toMatchObject({ taskId: 't1', attempt: 1, workerId: 'worker-a' });
        expect(claim?.lease.token).not.toBe('');
        expect(claim?.lease.expiresAt.getTime()).toBeGreaterThan(Date.now());
        expect(await statusOf(sink, 't1')).toBe('in_progress');
      });

      it('takes the most urgent priority first, then the oldest task', async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('normal-old', { priority: 'normal' })]);
        await sleepPast(new Date(), 20);
        await sink.ingest([sampleAssignment('low', { priority: 'low' }), sampleAssignment('normal-new')]);
        await sleepPast(new Date(), 20);
        await sink.ingest([
          sampleAssignment('critical', { priority: 'critical' }),
          sampleAssignment('high', { priority: 'high' }),
        ]);
        const order: string[] = [];
        for (let i = 0; i < 5; i++) order.push((await claimOne(sink)).taskId);
        expect(order).toEqual(['critical', 'high', 'normal-old', 'normal-new', 'low']);
      });

      it('takes no more tasks than the limit', async () => {
        const sink = await openSink();
        await sink.ingest(['t1', 't2', 't3', 't4'].map((id) => sampleAssignment(id)));
        expect(await sink.claim({ workerId: 'worker-a', limit: 3, leaseMs: LONG_LEASE_MS })).toHaveLength(3);
        expect(await sink.claim({ workerId: 'worker-a', limit: 3, leaseMs: LONG_LEASE_MS })).toHaveLength(1);
      });

      it("takes no more of an agent's tasks than its free slots, and none of an agent given 0", async () => {
        const sink = await openSink();
        await sink.ingest([
          ...['r1', 'r2', 'r3'].map((id) => sampleAssignment(id, { agent: 'researcher' })),
          ...['b1', 'b2'].map((id) => sampleAssignment(id, { agent: 'builder' })),
          ...['d1', 'd2', 'd3'].map((id) => sampleAssignment(id, { agent: 'writer' })),
        ]);
        const claims = await sink.claim({
          workerId: 'worker-a',
          limit: 10,
          leaseMs: LONG_LEASE_MS,
          perAgent: { researcher: 2, builder: 0 },
        });
        const agents = claims.map((claim) => claim.decision.agent).sort();
        expect(agents).toEqual(['researcher', 'researcher', 'writer', 'writer', 'writer']);
      });

      it("finds an agent's task behind a long queue of tasks of an agent with no free slot", async () => {
        const sink = await openSink();
        await sink.ingest(Array.from({ length: 200 }, (_, i) => sampleAssignment(`r${i}`, { agent: 'researcher' })));
        await sleepPast(new Date(), 5);
        await sink.ingest([sampleAssignment('b1', { agent: 'builder' })]);
        const claims = await sink.claim({ workerId: 'worker-a', limit: 5, leaseMs: LONG_LEASE_MS, perAgent: { researcher: 1 } });
        expect(claims.map((claim) => claim.task.id)).toEqual(['r0', 'b1']);
      });

      it('never hands one task to two of many concurrent claimers on several sink instances', async () => {
        const sinks = [await openSink(), await openSink(), await openSink()];
        const ids = Array.from({ length: 120 }, (_, i) => `t${String(i).padStart(3, '0')}`);
        await sinks[0]?.ingest(ids.map((id) => sampleAssignment(id)));
        const claimer = async (sink: Sink, workerId: string): Promise<string[]> => {
          const got: string[] = [];
          for (;;) {
            const claims = await sink.claim({ workerId, limit: 3, leaseMs: LONG_LEASE_MS });
            if (claims.length === 0) return got;
            got.push(...claims.map((claim) => claim.task.id));
          }
        };
        const claimers = sinks.flatMap((sink, s) => [0, 1, 2, 3].map((c) => claimer(sink, `worker-${s}-${c}`)));
        const claimed = (await Promise.all(claimers)).flat();
        expect(claimed).toHaveLength(ids.length);
        expect([...claimed].sort()).toEqual(ids);
      });

      it('does not claim a task that is in progress, completed or failed', async () => {
        const sink = await openSink();
        await sink.ingest(['t1', 't2', 't3'].map((id) => sampleAssignment(id)));
        await sink.complete(await claimOne(sink), { output: 'done', memory: sampleMemory('t1', 'researcher') });
        await sink.fail(await claimOne(sink), { error: 'broken' });
        await claimOne(sink);
        expect(await sink.claim({ workerId: 'worker-b', limit: 10, leaseMs: LONG_LEASE_MS })).toEqual([]);
      });

      it('does not claim a retrying task before its retry time', async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('t1')]);
        await sink.fail(await claimOne(sink), { error: 'busy', retryAt: new Date(Date.now() + LONG_LEASE_MS) });
        expect(await sink.claim({ workerId: 'worker-a', limit: 1, leaseMs: LONG_LEASE_MS })).toEqual([]);
      });

      it('claims a retrying task once its retry time has passed, as the next attempt', async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('t1')]);
        await sink.fail(await claimOne(sink), { error: 'busy', retryAt: new Date(Date.now() - 1000) });
        expect(await claimOne(sink)).toMatchObject({ taskId: 't1', attempt: 2 });
      });
    });

    describe('leases', () => {
      it('renew extends a lease so that it outlives its first expiry', async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('t1')]);
        const lease = await claimOne(sink, Math.max(shortLeaseMs, 1000));
        const renewed = await sink.renew(lease, LONG_LEASE_MS);
        expect(renewed).toMatchObject({ taskId: 't1', token: lease.token, attempt: 1 });
        expect(renewed?.expiresAt.getTime()).toBeGreaterThan(lease.expiresAt.getTime());
        await sleepPast(lease.expiresAt);
        expect(await sink.recoverExpiredLeases()).toEqual([]);
        expect(await sink.complete(renewed ?? lease, { output: 'done', memory: sampleMemory('t1', 'researcher') })).toBe(true);
      });

      it('recovers an expired lease to retrying with the same attempt, so the next claim runs that attempt again', async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('t1')]);
        const lease = await claimOne(sink, shortLeaseMs, 'worker-dead');
        let recovered: Awaited<ReturnType<Sink['recoverExpiredLeases']>> = [];
        await waitFor('the lease to expire', async () => {
          recovered = await sink.recoverExpiredLeases();
          return recovered.length > 0;
        });
        expect(recovered).toEqual([
          expect.objectContaining({ taskId: 't1', from: 'in_progress', to: 'retrying', attempt: 1, reason: 'lease expired' }),
        ]);
        expect(await sink.getTask('t1')).toMatchObject({ status: 'retrying', attempt: 1 });
        const again = await claimOne(sink, LONG_LEASE_MS, 'worker-b');
        expect(again).toMatchObject({ taskId: 't1', attempt: lease.attempt, workerId: 'worker-b' });
        expect(again.token).not.toBe(lease.token);
      });

      it('leaves unexpired leases alone when recovering', async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('t1')]);
        await claimOne(sink);
        expect(await sink.recoverExpiredLeases()).toEqual([]);
        expect(await statusOf(sink, 't1')).toBe('in_progress');
      });

      it('answers null to renew and false to complete, fail and release for a lease taken over by another worker', async () => {
        const [sinkA, sinkB] = [await openSink(), await openSink()];
        await sinkA.ingest([sampleAssignment('t1')]);
        const lost = await claimOne(sinkA, shortLeaseMs, 'worker-a');
        await waitFor('the lease to expire', async () => (await sinkB.recoverExpiredLeases()).length > 0);
        await claimOne(sinkB, LONG_LEASE_MS, 'worker-b');
        const before = await sinkB.history('t1');
        expect(await sinkA.renew(lost, LONG_LEASE_MS)).toBeNull();
        expect(await sinkA.complete(lost, { output: 'late', memory: sampleMemory('t1', 'researcher') })).toBe(false);
        expect(await sinkA.fail(lost, { error: 'late' })).toBe(false);
        expect(await sinkA.release(lost, 'late')).toBe(false);
        expect(await sinkB.getTask('t1')).toMatchObject({ status: 'in_progress', attempt: 1 });
        expect(await sinkB.history('t1')).toEqual(before);
        expect(await sinkB.memories('researcher')).toEqual([]);
      });

      it('treats a lease past its expiry as lost even before it is recovered', async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('t1')]);
        const lease = await expiredLease(sink);
        expect(await sink.renew(lease, LONG_LEASE_MS)).toBeNull();
        expect(await sink.complete(lease, { output: 'late', memory: sampleMemory('t1', 'researcher') })).toBe(false);
        expect(await statusOf(sink, 't1')).toBe('in_progress');
      });

      it('does not honour a lease with another token', async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('t1')]);
        const lease = await claimOne(sink);
        const forged = { ...lease, token: `${lease.token}-forged` };
        expect(await sink.renew(forged, LONG_LEASE_MS)).toBeNull();
        expect(await sink.complete(forged, { output: 'forged', memory: sampleMemory('t1', 'researcher') })).toBe(false);
        expect(await sink.release(forged, 'forged')).toBe(false);
        expect(await statusOf(sink, 't1')).toBe('in_progress');
      });
    });

    describe('transitions', () => {
      it("completes a task with its output and stores the agent's memory", async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('t1')]);
        const memory = sampleMemory('t1', 'researcher');
        expect(await sink.complete(await claimOne(sink), { output: 'The answer', memory })).toBe(true);
        expect(await sink.getTask('t1')).toMatchObject({ status: 'completed', attempt: 1, output: 'The answer' });
        expect(await sink.memories('researcher')).toEqual([expect.objectContaining({ ...memory, tags: [...memory.tags] })]);
      });

      it('moves a failure with a retry time to retrying at the next attempt, keeping the error', async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('t1')]);
        expect(await sink.fail(await claimOne(sink), { error: 'rate limited', retryAt: new Date(Date.now() + 1000) })).toBe(true);
        expect(await sink.getTask('t1')).toMatchObject({ status: 'retrying', attempt: 2, error: 'rate limited' });
        expect((await sink.history('t1')).at(-1)).toMatchObject({
          from: 'in_progress',
          to: 'retrying',
          attempt: 2,
          reason: 'rate limited',
        });
      });

      it('moves a failure without a retry time to failed, keeping the error and the memory', async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('t1')]);
        const memory = sampleMemory('t1', 'researcher', 'observation');
        expect(await sink.fail(await claimOne(sink), { error: 'invalid request', memory })).toBe(true);
        expect(await sink.getTask('t1')).toMatchObject({ status: 'failed', attempt: 1, error: 'invalid request' });
        expect(await sink.memories('researcher')).toEqual([
          expect.objectContaining({ kind: 'observation', taskId: 't1', importance: 0.8 }),
        ]);
      });

      it('release gives a task back at once with the same attempt', async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('t1')]);
        expect(await sink.release(await claimOne(sink, LONG_LEASE_MS, 'worker-a'), 'draining')).toBe(true);
        expect(await sink.getTask('t1')).toMatchObject({ status: 'retrying', attempt: 1 });
        expect((await sink.history('t1')).at(-1)).toMatchObject({
          from: 'in_progress',
          to: 'retrying',
          reason: 'draining',
          workerId: 'worker-a',
        });
        expect(await claimOne(sink, LONG_LEASE_MS, 'worker-b')).toMatchObject({ taskId: 't1', attempt: 1 });
      });

      it('requeue puts a failed task back as the next attempt, runnable at once', async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('t1')]);
        await sink.fail(await claimOne(sink), { error: 'broken' });
        expect(await sink.requeue('t1', 'retried by hand')).toBe(true);
        expect((await sink.history('t1')).at(-1)).toMatchObject({
          from: 'failed',
          to: 'retrying',
          attempt: 2,
          reason: 'retried by hand',
        });
        expect(await claimOne(sink)).toMatchObject({ taskId: 't1', attempt: 2 });
      });

      it('requeue refuses a task that is not failed, and an unknown one', async () => {
        const sink = await openSink();
        await ingestInOrder(sink, [sampleAssignment('t1'), sampleAssignment('t2')]);
        await sink.complete(await claimOne(sink), { output: 'done', memory: sampleMemory('t1', 'researcher') });
        expect(await sink.requeue('t1', 'again')).toBe(false);
        expect(await sink.requeue('t2', 'again')).toBe(false);
        expect(await sink.requeue('missing', 'again')).toBe(false);
        expect(await statusOf(sink, 't1')).toBe('completed');
        expect(await statusOf(sink, 't2')).toBe('assigned');
      });

      it('records every status change in order with its time, attempt and worker', async () => {
        const sink = await openSink();
        const start = Date.now();
        await sink.ingest([sampleAssignment('t1')]);
        await sink.fail(await claimOne(sink, LONG_LEASE_MS, 'worker-a'), { error: 'flaky', retryAt: new Date(Date.now() - 1) });
        await sink.complete(await claimOne(sink, LONG_LEASE_MS, 'worker-b'), {
          output: 'ok',
          memory: sampleMemory('t1', 'researcher'),
        });
        const history = await sink.history('t1');
        expect(history.map((change) => [change.from, change.to, change.attempt])).toEqual([
          [null, 'pending', 1],
          ['pending', 'assigned', 1],
          ['assigned', 'in_progress', 1],
          ['in_progress', 'retrying', 2],
          ['retrying', 'in_progress', 2],
          ['in_progress', 'completed', 2],
        ]);
        expect(history[2]?.workerId).toBe('worker-a');
        expect(history[4]?.workerId).toBe('worker-b');
        const times = history.map((change) => change.at.getTime());
        expect(times).toEqual([...times].sort((a, b) => a - b));
        expect(times[0]).toBeGreaterThanOrEqual(start - 1000);
        expect(times.at(-1)).toBeLessThanOrEqual(Date.now() + 1000);
      });
    });

    describe('memories and cursors', () => {
      it("lists an agent's memories newest first, honouring the limit", async () => {
        const sink = await openSink();
        await ingestInOrder(
          sink,
          ['t1', 't2', 't3'].map((id) => sampleAssignment(id)),
        );
        await ingestInOrder(sink, [sampleAssignment('b1', { agent: 'builder' })]);
        for (const id of ['t1', 't2', 't3']) {
          await sink.complete(await claimOne(sink), { output: 'ok', memory: sampleMemory(id, 'researcher') });
          await sleepPast(new Date(), 5);
        }
        await sink.complete(await claimOne(sink), { output: 'ok', memory: sampleMemory('b1', 'builder') });
        expect((await sink.memories('researcher')).map((memory) => memory.taskId)).toEqual(['t3', 't2', 't1']);
        expect((await sink.memories('researcher', { limit: 2 })).map((memory) => memory.taskId)).toEqual(['t3', 't2']);
        const [memory] = await sink.memories('builder');
        expect(memory).toMatchObject({ agent: 'builder', kind: 'learning', importance: 0.7, tags: ['general'] });
        expect(memory?.id).not.toBe('');
        expect(memory?.at).toBeInstanceOf(Date);
      });

      it('keeps the latest cursor per source, undefined until one is saved, for every sink on the store', async () => {
        const [sinkA, sinkB] = [await openSink(), await openSink()];
        expect(await sinkA.getCursor('notion')).toBeUndefined();
        await sinkA.saveCursor('notion', 'c1');
        await sinkA.saveCursor('notion', 'c2');
        await sinkA.saveCursor('file', 'f1');
        expect(await sinkB.getCursor('notion')).toBe('c2');
        expect(await sinkB.getCursor('file')).toBe('f1');
      });
    });

    describe('corrections', () => {
      const toBuilder = (taskId: string, why?: string) => ({ taskId, to: 'builder', by: 'Ada', ...(why === undefined ? {} : { why }) });

      it('moves a task not yet started to the new agent, keeping the scores and matched rules of the decision', async () => {
        const sink = await openSink();
        const sample = sampleAssignment('t1');
        const builds = { ruleId: 'builds', agent: 'builder', weight: 1, type: 'build', keywords: ['build'], matchedText: ['Build'], condition: true };
        const routed = { ...sample, decision: { ...sample.decision, score: 2, scores: { researcher: 2, builder: 1 }, matched: [builds] } };
        await sink.ingest([routed]);
        const result = await sink.reassign(toBuilder('t1', 'it is a build task'));
        expect(result).toMatchObject({ outcome: 'moved', correction: { from: 'researcher', to: 'builder', by: 'Ada' } });
        const stored = await sink.getTask('t1');
        expect(stored).toMatchObject({ status: 'assigned', attempt: 1 });
        expect(stored?.decision).toEqual(correctDecision(routed.decision, 'builder', 'it is a build task'));
        expect(stored?.decision).toMatchObject({
          agent: 'builder',
          reason: 'correction',
          confidence: 1,
          rationale: 'it is a build task',
          scores: routed.decision.scores,
          matched: [builds],
        });
      });

      it('records the move in the history with the status unchanged, saying from, to and by whom', async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('t1')]);
        await sink.reassign(toBuilder('t1'));
        const history = await sink.history('t1');
        expect(history).toHaveLength(3);
        expect(history.at(-1)).toMatchObject({
          from: 'assigned',
          to: 'assigned',
          attempt: 1,
          reason: 'reassigned from researcher to builder by Ada',
        });
      });

      it('hands a moved task to its new agent at the next claim', async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('t1')]);
        await sink.reassign(toBuilder('t1'));
        const [claim] = await sink.claim({ workerId: 'worker-a', limit: 1, leaseMs: LONG_LEASE_MS, perAgent: { researcher: 0 } });
        expect(claim?.decision.agent).toBe('builder');
        expect((await sink.summary()).byAgent).toEqual({ builder: { in_progress: 1 } });
      });

      it('moves a retrying task, keeping its attempt and retry time', async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('t1')]);
        await sink.fail(await claimOne(sink), { error: 'busy', retryAt: new Date(Date.now() + LONG_LEASE_MS) });
        expect(await sink.reassign(toBuilder('t1'))).toMatchObject({ outcome: 'moved' });
        expect(await sink.getTask('t1')).toMatchObject({ status: 'retrying', attempt: 2, decision: { agent: 'builder' } });
        expect(await sink.claim({ workerId: 'worker-a', limit: 1, leaseMs: LONG_LEASE_MS })).toEqual([]);
      });

      it('moves a failed task, so that a retry runs it on the new agent', async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('t1')]);
        await sink.fail(await claimOne(sink), { error: 'wrong agent' });
        expect(await sink.reassign(toBuilder('t1'))).toMatchObject({ outcome: 'moved' });
        expect(await statusOf(sink, 't1')).toBe('failed');
        await sink.requeue('t1', 'retried by hand');
        const [claim] = await sink.claim({ workerId: 'worker-a', limit: 1, leaseMs: LONG_LEASE_MS });
        expect(claim?.decision.agent).toBe('builder');
      });

      it('records a correction of a task in progress or completed without moving it', async () => {
        const sink = await openSink();
        await ingestInOrder(sink, [sampleAssignment('t1'), sampleAssignment('t2')]);
        await sink.complete(await claimOne(sink), { output: 'done', memory: sampleMemory('t1', 'researcher') });
        await claimOne(sink);
        const histories = [await sink.history('t1'), await sink.history('t2')];
        expect(await sink.reassign(toBuilder('t1'))).toMatchObject({ outcome: 'kept', status: 'completed' });
        expect(await sink.reassign(toBuilder('t2'))).toMatchObject({ outcome: 'kept', status: 'in_progress' });
        expect((await sink.getTask('t1'))?.decision).toMatchObject({ agent: 'researcher', reason: 'highest-score' });
        expect((await sink.getTask('t2'))?.decision).toMatchObject({ agent: 'researcher', reason: 'highest-score' });
        expect([await sink.history('t1'), await sink.history('t2')]).toEqual(histories);
        expect((await sink.corrections()).map((correction) => [correction.task.id, correction.from, correction.to])).toEqual([
          ['t1', 'researcher', 'builder'],
          ['t2', 'researcher', 'builder'],
        ]);
      });

      it('records a correction to the agent a task already has, and moves nothing', async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('t1', { agent: 'builder' })]);
        await sink.claimWriteBacks({ workerId: 'worker-a', limit: 10, leaseMs: LONG_LEASE_MS });
        expect(await sink.reassign(toBuilder('t1'))).toMatchObject({ outcome: 'kept', status: 'assigned' });
        expect(await sink.history('t1')).toHaveLength(2);
        expect((await sink.getTask('t1'))?.decision.reason).toBe('highest-score');
        expect(await sink.claimWriteBacks({ workerId: 'worker-b', limit: 10, leaseMs: LONG_LEASE_MS })).toEqual([]);
        expect(await sink.corrections()).toEqual([expect.objectContaining({ from: 'builder', to: 'builder', by: 'Ada' })]);
      });

      it('answers unknown_task for an id it does not have, and records nothing', async () => {
        const sink = await openSink();
        expect(await sink.reassign(toBuilder('missing'))).toEqual({ outcome: 'unknown_task' });
        expect(await sink.corrections()).toEqual([]);
      });

      it("owes the task's source an assigned write-back naming the new agent when a task moves", async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('t1')]);
        await sink.reassign(toBuilder('t1'));
        const owed = await sink.claimWriteBacks({ workerId: 'worker-a', limit: 10, leaseMs: LONG_LEASE_MS });
        expect(owed.map((pending) => pending.update)).toEqual([
          { kind: 'assigned', taskId: 't1', agent: 'researcher' },
          { kind: 'assigned', taskId: 't1', agent: 'builder' },
        ]);
      });

      it('lists the corrections oldest first, each with its task as first delivered, by whom, why and when', async () => {
        const sink = await openSink();
        const start = Date.now();
        await ingestInOrder(sink, [sampleAssignment('t1', { title: 'Build the parser' }), sampleAssignment('t2')]);
        await sink.reassign({ taskId: 't2', to: 'writer', by: 'Grace' });
        await sleepPast(new Date(), 5);
        await sink.reassign(toBuilder('t1', 'parsers are built'));
        const corrections = await sink.corrections();
        expect(corrections).toEqual([
          { task: sampleAssignment('t2').task, from: 'researcher', to: 'writer', by: 'Grace', at: expect.any(Date) },
          {
            task: sampleAssignment('t1', { title: 'Build the parser' }).task,
            from: 'researcher',
            to: 'builder',
            by: 'Ada',
            why: 'parsers are built',
            at: expect.any(Date),
          },
        ]);
        expect(corrections[0]?.at.getTime()).toBeGreaterThanOrEqual(start - 1000);
        expect(corrections[1]?.at.getTime()).toBeGreaterThan(corrections[0]?.at.getTime() ?? 0);
      });

      it('lists only the corrections at or after since, at most limit of them, oldest first', async () => {
        const sink = await openSink();
        await sink.ingest(['t1', 't2', 't3', 't4'].map((id) => sampleAssignment(id)));
        await sink.reassign(toBuilder('t1'));
        for (const id of ['t2', 't3', 't4']) {
          await sleepPast(new Date(), 5);
          await sink.reassign(toBuilder(id));
        }
        const since = (await sink.corrections())[1]?.at;
        const ids = (corrections: readonly Correction[]) => corrections.map((correction) => correction.task.id);
        expect(ids(await sink.corrections({ since }))).toEqual(['t2', 't3', 't4']);
        expect(ids(await sink.corrections({ since, limit: 2 }))).toEqual(['t2', 't3']);
      });

      it('records the correction an assignment carries along with the task, and none for a task it already has', async () => {
        const sink = await openSink();
        const chosen = sampleAssignment('t1', { agent: 'builder' });
        await sink.ingest([{ ...chosen, correction: { from: 'researcher', by: 'Ada', why: 'a build' } }]);
        await sink.ingest([{ ...chosen, correction: { from: 'writer', by: 'Grace' } }]);
        expect((await sink.getTask('t1'))?.decision.agent).toBe('builder');
        expect(await sink.corrections()).toEqual([
          { task: chosen.task, from: 'researcher', to: 'builder', by: 'Ada', why: 'a build', at: expect.any(Date) },
        ]);
      });

      it('records concurrent corrections of one task from several sink instances one after another', async () => {
        const sinks = [await openSink(), await openSink(), await openSink()];
        await sinks[0]?.ingest([sampleAssignment('t1')]);
        const agents = ['builder', 'writer', 'tester', 'auditor', 'operator', 'planner'];
        await Promise.all(agents.map((to, i) => sinks[i % sinks.length]?.reassign({ taskId: 't1', to, by: 'Ada' })));
        const corrections = await sinks[0]!.corrections();
        expect(corrections.map((correction) => correction.to).sort()).toEqual([...agents].sort());
        // Each correction moved the task on from where the one before it left it: none read a stale agent.
        corrections.forEach((correction, i) => expect(correction.from).toBe(i === 0 ? 'researcher' : corrections[i - 1]?.to));
        expect((await sinks[0]!.getTask('t1'))?.decision.agent).toBe(corrections.at(-1)?.to);
        expect(await sinks[0]!.history('t1')).toHaveLength(2 + agents.length);
      });
    });

    describe('write-backs', () => {
      it("owes the task's source a write-back for its assignment, each claim, completion and final failure, none for a retry", async () => {
        const sink = await openSink();
        await ingestInOrder(sink, [sampleAssignment('t1'), sampleAssignment('t2', { agent: 'builder', source: 'other' })]);
        await sink.complete(await claimOne(sink), { output: 'The answer', memory: sampleMemory('t1', 'researcher') });
        await sink.fail(await claimOne(sink), { error: 'flaky', retryAt: new Date(Date.now() - 1) });
        await sink.fail(await claimOne(sink), { error: 'broken' });
        const owed = await sink.claimWriteBacks({ workerId: 'worker-a', limit: 10, leaseMs: LONG_LEASE_MS });
        // Each task's write-backs come in the order they happened; the order between tasks is the sink's to choose.
        const ofTask = (taskId: string) =>
          owed.filter((pending) => pending.update.taskId === taskId).map((pending) => [pending.source, pending.update]);
        expect(owed).toHaveLength(7);
        expect(ofTask('t1')).toEqual([
          [CONFORMANCE_SOURCE, { kind: 'assigned', taskId: 't1', agent: 'researcher' }],
          [CONFORMANCE_SOURCE, { kind: 'in_progress', taskId: 't1', agent: 'researcher', attempt: 1 }],
          [CONFORMANCE_SOURCE, { kind: 'completed', taskId: 't1', agent: 'researcher', output: 'The answer' }],
        ]);
        expect(ofTask('t2')).toEqual([
          ['other', { kind: 'assigned', taskId: 't2', agent: 'builder' }],
          ['other', { kind: 'in_progress', taskId: 't2', agent: 'builder', attempt: 1 }],
          ['other', { kind: 'in_progress', taskId: 't2', agent: 'builder', attempt: 2 }],
          ['other', { kind: 'failed', taskId: 't2', agent: 'builder', error: 'broken' }],
        ]);
      });

      it('hands each write-back to one of many concurrent claimers and never offers it again once acknowledged', async () => {
        const sinks = [await openSink(), await openSink()];
        await sinks[0]?.ingest(Array.from({ length: 30 }, (_, i) => sampleAssignment(`t${i}`)));
        for (let i = 0; i < 30; i++) await claimOne(sinks[0] as Sink);
        const claimer = async (sink: Sink, workerId: string): Promise<string[]> => {
          const got: string[] = [];
          for (;;) {
            const batch = await sink.claimWriteBacks({ workerId, limit: 4, leaseMs: LONG_LEASE_MS });
            if (batch.length === 0) return got;
            got.push(...batch.map((pending) => pending.id));
            await sink.ackWriteBacks(batch.map((pending) => pending.id));
          }
        };
        const claimed = (await Promise.all(sinks.flatMap((sink, s) => [0, 1, 2].map((c) => claimer(sink, `w${s}${c}`))))).flat();
        // Each task owes an assigned and an in_progress write-back.
        expect(claimed).toHaveLength(60);
        expect(new Set(claimed).size).toBe(60);
        expect(await sinks[1]?.claimWriteBacks({ workerId: 'late', limit: 100, leaseMs: LONG_LEASE_MS })).toEqual([]);
      });

      it('offers a claimed write-back again once its lease expires unacknowledged', async () => {
        const sink = await openSink();
        await sink.ingest([sampleAssignment('t1')]);
        await claimOne(sink);
        const first = await sink.claimWriteBacks({ workerId: 'worker-dead', limit: 10, leaseMs: shortLeaseMs });
        expect(first).toHaveLength(2);
        expect(await sink.claimWriteBacks({ workerId: 'worker-b', limit: 10, leaseMs: LONG_LEASE_MS })).toEqual([]);
        let again: Awaited<ReturnType<Sink['claimWriteBacks']>> = [];
        await waitFor('the write-back lease to expire', async () => {
          again = await sink.claimWriteBacks({ workerId: 'worker-b', limit: 10, leaseMs: LONG_LEASE_MS });
          return again.length > 0;
        });
        expect(again).toEqual(first);
      });
    });

    describe('summary', () => {
      it('counts tasks by status and by agent and lists the latest failures newest first', async () => {
        const sink = await openSink();
        await ingestInOrder(sink, [
          sampleAssignment('r1'),
          sampleAssignment('r2'),
          sampleAssignment('b1', { agent: 'builder' }),
          sampleAssignment('b2', { agent: 'builder' }),
          sampleAssignment('w1', { agent: 'writer', priority: 'low' }),
        ]);
        await sink.complete(await claimOne(sink), { output: 'ok', memory: sampleMemory('r1', 'researcher') });
        await sink.fail(await claimOne(sink), { error: 'first failure' });
        await sleepPast(new Date(), 20);
        await sink.fail(await claimOne(sink), { error: 'second failure' });
        await claimOne(sink);
        const summary = await sink.summary({ recentFailures: 5 });
        expect(summary.byStatus).toEqual({ completed: 1, failed: 2, in_progress: 1, assigned: 1 });
        expect(summary.byAgent).toEqual({
          researcher: { completed: 1, failed: 1 },
          builder: { failed: 1, in_progress: 1 },
          writer: { assigned: 1 },
        });
        expect(summary.recentFailures.map((failure) => [failure.taskId, failure.agent, failure.error])).toEqual([
          ['b1', 'builder', 'second failure'],
          ['r2', 'researcher', 'first failure'],
        ]);
        expect(summary.recentFailures[0]?.at).toBeInstanceOf(Date);
        expect((await sink.summary({ recentFailures: 1 })).recentFailures).toHaveLength(1);
      });

      it('counts the retries whose time is still ahead, with the earliest of their times', async () => {
        const sink = await openSink();
        await ingestInOrder(sink, ['t1', 't2', 't3'].map((id) => sampleAssignment(id)));
        const later = new Date(Date.now() + 2 * LONG_LEASE_MS);
        const sooner = new Date(Date.now() + LONG_LEASE_MS);
        await sink.fail(await claimOne(sink), { error: 'busy', retryAt: later });
        await sink.fail(await claimOne(sink), { error: 'busy', retryAt: sooner });
        const summary = await sink.summary();
        expect(summary.waitingRetries?.count).toBe(2);
        expect(summary.waitingRetries?.nextDueAt.getTime()).toBe(sooner.getTime());
      });

      it('counts no retry as waiting once its time has passed, nor a task released or recovered', async () => {
        const sink = await openSink();
        await ingestInOrder(sink, ['t1', 't2', 't3'].map((id) => sampleAssignment(id)));
        const [due, released] = await sink.claim({ workerId: 'worker-a', limit: 2, leaseMs: LONG_LEASE_MS });
        await expiredLease(sink);
        await sink.fail(due!.lease, { error: 'busy', retryAt: new Date(Date.now() - 1000) });
        await sink.release(released!.lease, 'draining');
        await sink.recoverExpiredLeases();
        const summary = await sink.summary();
        expect(summary.byStatus).toEqual({ retrying: 3 });
        expect(summary.waitingRetries).toBeNull();
      });
    });
  });
}
