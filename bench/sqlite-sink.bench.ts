// Dispatch throughput on the embedded defaults (the sqlite sink and the echo spawner), with the sink's group commit
// against one transaction per write, side by side in one process. Each run ingests TASKS tasks, then claims, spawns,
// completes and delivers the write-backs of all of them with CONCURRENCY runs in flight, as the dispatcher does.
//
//   pnpm turbo run build && node bench/sqlite-sink.bench.ts      (or `pnpm bench sqlite-sink` where bench/run.mjs exists)
//   TASKS=10000 CONCURRENCY=64 node bench/sqlite-sink.bench.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEchoSpawner, createSqliteSink } from '../packages/core/dist/index.js';

const TASKS = Number(process.env.TASKS ?? 10_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 64);
const INGEST_BATCH = 500;
const agents = ['mongke', 'temujin', 'chagatai', 'jochi', 'ogedei', 'kublai'];

function assignment(i) {
  const agent = agents[i % agents.length];
  const id = `bench-${i}`;
  return {
    task: { id, title: `Benchmark task ${i}`, source: 'bench', priority: i % 10 === 0 ? 'high' : 'normal', tags: ['bench'] },
    decision: { agent, type: 'general', score: 1, scores: { [agent]: 1 }, margin: 1, matched: [], reason: 'highest-score' },
  };
}

async function dispatchAll(sink, spawner, workerId) {
  let done = 0;
  const inFlight = new Set();
  const runOne = async ({ lease, task, decision }) => {
    const outcome = await spawner.spawn({
      taskId: task.id,
      attempt: lease.attempt,
      idempotencyKey: `${task.id}:${lease.attempt}`,
      agent: { id: decision.agent, name: decision.agent, spawn: {} },
      prompt: task.title,
      timeoutMs: 60_000,
      signal: AbortSignal.timeout(60_000),
    });
    const memory = {
      agent: decision.agent,
      kind: 'learning',
      content: outcome.ok ? outcome.output : '',
      importance: 0.7,
      tags: ['general', 'bench'],
      taskId: task.id,
    };
    if (await sink.complete(lease, { output: outcome.ok ? outcome.output : '', memory })) done += 1;
  };
  while (done < TASKS) {
    const free = CONCURRENCY - inFlight.size;
    const claims = free > 0 ? await sink.claim({ workerId, limit: free, leaseMs: 60_000 }) : [];
    for (const claim of claims) {
      const running = runOne(claim).finally(() => inFlight.delete(running));
      inFlight.add(running);
    }
    if (claims.length === 0 || inFlight.size >= CONCURRENCY)
      await Promise.race([...inFlight, new Promise((r) => setTimeout(r, 1))]);
  }
  await Promise.all(inFlight);
}

async function deliverWriteBacks(sink) {
  let delivered = 0;
  for (;;) {
    const batch = await sink.claimWriteBacks({ workerId: 'bench-writer', limit: 500, leaseMs: 60_000 });
    if (batch.length === 0) return delivered;
    await sink.ackWriteBacks(batch.map((pending) => pending.id));
    delivered += batch.length;
  }
}

async function measure(batchWrites, synchronous) {
  const folder = mkdtempSync(join(tmpdir(), 'kurultai-bench-'));
  const sink = createSqliteSink({ path: join(folder, 'ledger.sqlite'), busyTimeoutMs: 5000, batchWrites, synchronous });
  const spawner = createEchoSpawner({ delayMs: 0, reply: '{agentName} handled {taskId}' });
  await sink.init();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < TASKS; i += INGEST_BATCH) {
    await sink.ingest(Array.from({ length: Math.min(INGEST_BATCH, TASKS - i) }, (_, j) => assignment(i + j)));
  }
  await Promise.all([
    dispatchAll(sink, spawner, 'bench-worker'),
    (async () => {
      // Write-backs are delivered alongside, as the dispatcher's write-back loop does.
      let delivered = 0;
      while (delivered < 2 * TASKS) {
        delivered += await deliverWriteBacks(sink);
        await new Promise((r) => setTimeout(r, 5));
      }
    })(),
  ]);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const summary = await sink.summary();
  await sink.close();
  rmSync(folder, { recursive: true, force: true });
  if (summary.byStatus.completed !== TASKS) throw new Error(`only ${summary.byStatus.completed} of ${TASKS} tasks completed`);
  // CPU time per task, beside the wall-clock rate: on a shared, loaded machine it moves less than the rate does.
  return { perSecond: TASKS / seconds, cpuMicrosPerTask: (cpu.user + cpu.system) / TASKS };
}

console.log(`sqlite sink + echo spawner: ${TASKS} tasks, ${CONCURRENCY} in flight, Node ${process.version}`);
for (const synchronous of ['normal', 'full']) {
  const grouped = await measure(true, synchronous);
  const single = await measure(false, synchronous);
  const figures = (run) =>
    `${run.perSecond.toFixed(0).padStart(6)} tasks/s (${run.cpuMicrosPerTask.toFixed(0).padStart(4)} us CPU/task)`;
  console.log(
    `synchronous=${synchronous.padEnd(6)} group commit ${figures(grouped)}   one transaction per write ${figures(single)}   ` +
      `ratio ${(grouped.perSecond / single.perSecond).toFixed(2)}x`,
  );
}
