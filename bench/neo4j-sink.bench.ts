// The Neo4j sink's throughput, against one real Neo4j in one run (started here with the package's test server unless
// NEO4J_URI names one). Build first: `pnpm turbo run build --filter @kurultai/sink-neo4j`, then
// `node bench/neo4j-sink.bench.ts`.
//
// 1. Batched writes against one transaction per write: the same tasks ingested as one UNWIND per batch, and as one
//    transaction per task, side by side; prints the ratio (target: 10x).
// 2. The whole lifecycle (ingest, claim, complete with a memory and write-back) in tasks per second (target: 2,000).
// The machine's other load moves these figures a lot; compare runs made back to back.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Assignment, Sink } from '@kurultai/core';
import { createNeo4jSink } from '../packages/sink-neo4j/dist/index.js';
import { startNeo4jTestServer } from '../packages/sink-neo4j/test-server/neo4j-test-server.ts';

const BATCHED_TASKS = 5_000;
const SINGLE_TASKS = 500;
const LIFECYCLE_TASKS = 20_000;
const WARM_UP_TASKS = 10_000;
const INGEST_BATCH = 1_000;
const CLAIM_BATCH = 250;
const WORKER_LOOPS = 2;

/** Ids unique to this run, so a run against a Neo4j of one's own (NEO4J_URI) measures fresh inserts too. */
const RUN = Date.now().toString(36);

function assignments(prefix: string, count: number): Assignment[] {
  return Array.from({ length: count }, (_, index) => ({
    task: { id: `${RUN}-${prefix}-${index}`, title: `Benchmark task ${index}`, source: 'bench', priority: 'normal', tags: ['bench'] },
    decision: { agent: `agent-${index % 4}`, type: 'general', score: 3, scores: { [`agent-${index % 4}`]: 3 }, margin: 3, matched: [], reason: 'highest-score' },
  }));
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size));
}

async function timed(work: () => Promise<void>): Promise<number> {
  const began = performance.now();
  await work();
  return (performance.now() - began) / 1000;
}

async function writesPerSecond(sink: Sink): Promise<{ batched: number; single: number }> {
  const batchedSeconds = await timed(async () => {
    for (const batch of chunks(assignments('batched', BATCHED_TASKS), INGEST_BATCH)) await sink.ingest(batch);
  });
  const singleSeconds = await timed(async () => {
    for (const one of assignments('single', SINGLE_TASKS)) await sink.ingest([one]);
  });
  return { batched: BATCHED_TASKS / batchedSeconds, single: SINGLE_TASKS / singleSeconds };
}

/**
 * Runs `count` tasks through the whole lifecycle as a dispatcher does: the source's batches are ingested while
 * `WORKER_LOOPS` loops claim up to `CLAIM_BATCH` tasks and complete each (with a memory and a write-back) concurrently.
 */
async function lifecycleTasksPerSecond(sink: Sink, prefix: string, count: number): Promise<number> {
  let ingested = false;
  const ingest = async () => {
    for (const batch of chunks(assignments(prefix, count), INGEST_BATCH)) await sink.ingest(batch);
    ingested = true;
  };
  const work = async (loop: number) => {
    for (;;) {
      const claims = await sink.claim({ workerId: `bench:${loop}`, limit: CLAIM_BATCH, leaseMs: 60_000 });
      if (claims.length === 0) {
        if (ingested) return;
        await sleep(5);
        continue;
      }
      await Promise.all(
        claims.map((claim) =>
          sink.complete(claim.lease, {
            output: 'ok',
            memory: { agent: claim.decision.agent, kind: 'observation', content: 'done', importance: 0.1, tags: [], taskId: claim.task.id },
          }),
        ),
      );
    }
  };
  const seconds = await timed(async () => {
    await Promise.all([ingest(), ...Array.from({ length: WORKER_LOOPS }, (_, loop) => work(loop))]);
  });
  return count / seconds;
}

const external = process.env.NEO4J_URI;
const server = external ? undefined : await startNeo4jTestServer();
const uri = external ?? server!.uri;
if (server) console.log(`Neo4j ${uri} started in ${server.startedInMs} ms`);
const sink = createNeo4jSink({ env: { ...process.env, NEO4J_URI: uri } });
try {
  await sink.init();
  // The lifecycle runs first, on an empty ledger, so that it claims only its own tasks. Neo4j's JIT takes a while to
  // reach its steady speed (a cold server is 2-3 times slower), so an untimed warm-up run goes first; it also warms the
  // query plans for the write comparison.
  const warmUp = await lifecycleTasksPerSecond(sink, 'warm', WARM_UP_TASKS);
  console.log(`warm-up lifecycle, ${WARM_UP_TASKS} tasks (not the result): ${warmUp.toFixed(0)} tasks/s`);
  const lifecycle = await lifecycleTasksPerSecond(sink, 'life', LIFECYCLE_TASKS);
  const writes = await writesPerSecond(sink);
  console.log(`ingest, one UNWIND per ${INGEST_BATCH} tasks: ${writes.batched.toFixed(0)} tasks/s`);
  console.log(`ingest, one transaction per task:        ${writes.single.toFixed(0)} tasks/s`);
  console.log(`batched / one per write: ${(writes.batched / writes.single).toFixed(1)}x (target 10x)`);
  console.log(
    `lifecycle (ingest; ${WORKER_LOOPS} loops claiming ${CLAIM_BATCH} at a time; complete with memory and write-back): ${lifecycle.toFixed(0)} tasks/s (target 2000)`,
  );
} finally {
  await sink.close();
  await server?.dispose();
}
