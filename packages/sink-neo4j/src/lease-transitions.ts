import type { Completion, Failure, Lease, MemoryInput } from '@kurultai/core';
import neo4j from 'neo4j-driver';
import type { GraphConnection } from './graph-connection.js';
import { oweWriteBack, recordStatusChange, rememberMemory } from './graph-writes.js';
import { groupCommit } from './group-commit.js';
import { readTime } from './task-records.js';

/**
 * The calls a lease holder makes (renew, complete, fail, release), each group-committed: concurrent calls of one kind
 * share a transaction, one `UNWIND` row per call.
 *
 * Every transaction first writes to the tasks it names (taking their write locks, in id order to keep deadlocks rare),
 * and only then, in a second statement, checks that each lease is still the task's current one by Neo4j's clock and
 * applies the change. Checking before the lock is held would race with `recoverExpiredLeases` and a new claim: the
 * check would pass on data that changed while the write waited.
 */
export interface LeaseTransitions {
  renew(lease: Lease, leaseMs: number): Promise<Lease | null>;
  complete(lease: Lease, outcome: Completion): Promise<boolean>;
  fail(lease: Lease, outcome: Failure): Promise<boolean>;
  release(lease: Lease, reason: string): Promise<boolean>;
}

const MAX_BATCH = 500;

/**
 * The lease check, after `UNWIND $rows AS row`: the task, its agent, and nothing if the lease is not current. The task
 * is found by `row.taskId`, a top-level field of the row: Neo4j 5 plans `{id: row.lease.taskId}` (a nested map) as a
 * scan of the whole `Task(id)` index per row instead of a seek, which made every transition cost the ledger's size.
 */
const MATCH_LEASED_TASK = `
UNWIND $rows AS row
MATCH (t:Task {id: row.taskId})-[:ASSIGNED_TO]->(a:Agent)
WHERE t.status = 'in_progress' AND t.leaseToken = row.lease.token AND t.workerId = row.lease.workerId
  AND t.attempt = row.lease.attempt AND t.leaseExpiresAt > timestamp()`;

/** Ends the lease: a finished or released task has no owner. */
const END_LEASE = "SET t.leaseToken = null, t.leaseExpiresAt = null, t.updatedAt = timestamp()";

const RENEW = `${MATCH_LEASED_TASK}
SET t.leaseExpiresAt = timestamp() + row.leaseMs
RETURN row.index AS index, t.leaseExpiresAt AS expiresAt`;

const COMPLETE = `${MATCH_LEASED_TASK}
SET t.status = 'completed', t.output = row.output, t.error = null
${END_LEASE}
${recordStatusChange({ from: "'in_progress'", to: "'completed'", workerId: 'row.lease.workerId' })}
${oweWriteBack('completed', { output: 'row.output' })}
WITH *, row.memory AS memory
${rememberMemory('memory')}
RETURN row.index AS index`;

const FAIL = `${MATCH_LEASED_TASK}
WITH *, row.retryAt IS NOT NULL AS retry
SET t.status = CASE WHEN retry THEN 'retrying' ELSE 'failed' END, t.error = row.error,
    t.attempt = CASE WHEN retry THEN t.attempt + 1 ELSE t.attempt END, t.notBefore = row.retryAt
${END_LEASE}
${recordStatusChange({ from: "'in_progress'", to: 't.status', workerId: 'row.lease.workerId', reason: 'row.error' })}
${oweWriteBack('failed', { error: 'row.error', when: 'NOT retry' })}
WITH *, row.memory AS memory
${rememberMemory('memory')}
RETURN row.index AS index`;

const RELEASE = `${MATCH_LEASED_TASK}
SET t.status = 'retrying', t.notBefore = timestamp()
${END_LEASE}
${recordStatusChange({ from: "'in_progress'", to: "'retrying'", workerId: 'row.lease.workerId', reason: 'row.reason' })}
RETURN row.index AS index`;

type Row = Readonly<Record<string, unknown>> & { readonly lease: Lease };

export function leaseTransitions(graph: GraphConnection): LeaseTransitions {
  /** Runs one statement over a batch; answers, per row, the record it returned or null when its lease was lost. */
  const batched = (operation: string, statement: string) =>
    groupCommit<Row, Readonly<Record<string, unknown>> | null>(
      async (rows) => {
        const params = rows.map((row, index) => ({ ...row, index, taskId: row.lease.taskId, lease: leaseParams(row.lease) }));
        // groupCommit never puts one task in a batch twice, so the ids are distinct.
        const taskIds = rows.map((row) => row.lease.taskId).sort();
        const returned = await graph.write(operation, async (tx) => {
          await tx.run('UNWIND $taskIds AS id MATCH (t:Task {id: id}) SET t.lockedAt = timestamp()', { taskIds });
          return (await tx.run(statement, { rows: params })).records.map((record) => record.toObject());
        });
        const byIndex = new Map(returned.map((record) => [Number(record.index), record]));
        return rows.map((_, index) => byIndex.get(index) ?? null);
      },
      { maxBatch: MAX_BATCH, key: (row) => row.lease.taskId },
    );

  const renew = batched('renew', RENEW);
  const complete = batched('complete', COMPLETE);
  const fail = batched('fail', FAIL);
  const release = batched('release', RELEASE);

  return {
    renew: async (lease, leaseMs) => {
      const renewed = await renew({ lease, leaseMs: neo4j.int(leaseMs) });
      return renewed === null ? null : { ...lease, expiresAt: readTime(renewed.expiresAt) };
    },
    complete: async (lease, outcome) =>
      (await complete({ lease, output: outcome.output, memory: memoryParams(outcome.memory) })) !== null,
    fail: async (lease, outcome) =>
      (await fail({
        lease,
        error: outcome.error,
        retryAt: outcome.retryAt === undefined ? null : neo4j.int(outcome.retryAt.getTime()),
        memory: memoryParams(outcome.memory),
      })) !== null,
    release: async (lease, reason) => (await release({ lease, reason })) !== null,
  };
}

/** What the lease check compares; the task id travels as the row's top-level `taskId` (see `MATCH_LEASED_TASK`). */
function leaseParams(lease: Lease): Readonly<Record<string, unknown>> {
  return { token: lease.token, workerId: lease.workerId, attempt: neo4j.int(lease.attempt) };
}

function memoryParams(memory: MemoryInput | undefined): Readonly<Record<string, unknown>> | null {
  return memory === undefined ? null : { ...memory, tags: [...memory.tags] };
}
