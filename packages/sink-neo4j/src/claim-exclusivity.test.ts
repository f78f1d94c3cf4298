import type { Sink } from '@kurultai/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { assignment, openTestSink, wipeGraph } from '../test-server/test-sink.js';

const WORKERS = 4;
const TASKS = 400;
let sinks: Sink[];

beforeAll(async () => {
  await wipeGraph();
  // Each sink has its own driver and connection pool, as separate worker processes would.
  sinks = await Promise.all(Array.from({ length: WORKERS }, () => openTestSink()));
});
afterAll(async () => {
  await Promise.all(sinks.map((sink) => sink.close()));
});

/** Claims small batches as fast as it can and completes them, until nothing is left; returns what it claimed. */
async function drain(sink: Sink, workerId: string): Promise<string[]> {
  const claimed: string[] = [];
  for (;;) {
    const claims = await sink.claim({ workerId, limit: 7, leaseMs: 60_000 });
    if (claims.length === 0) return claimed;
    claimed.push(...claims.map((claim) => claim.task.id));
    const done = await Promise.all(
      claims.map((claim) =>
        sink.complete(claim.lease, {
          output: workerId,
          memory: { agent: claim.decision.agent, kind: 'observation', content: 'done', importance: 0, tags: [], taskId: claim.task.id },
        }),
      ),
    );
    expect(done.every(Boolean)).toBe(true);
  }
}

it('gives each task to exactly one of several workers claiming at the same time on separate drivers', async () => {
  const ids = Array.from({ length: TASKS }, (_, index) => `task-${index}`);
  await sinks[0]!.ingest(ids.map((id, index) => assignment(id, index % 2 === 0 ? 'coder' : 'writer')));

  const claimedByWorker = await Promise.all(sinks.map((sink, index) => drain(sink, `worker-${index}`)));

  const claimed = claimedByWorker.flat();
  expect(claimed.length).toBe(TASKS);
  expect(new Set(claimed).size).toBe(TASKS);
  expect(claimedByWorker.filter((worker) => worker.length > 0).length).toBeGreaterThan(1);
  expect((await sinks[0]!.summary()).byStatus).toEqual({ completed: TASKS });
});
