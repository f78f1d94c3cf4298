// The Neo4j sink's throughput, against one real Neo4j in one run (started here with the package's test server unless
// NEO4J_URI names one). Build first: `pnpm turbo run build --filter @kurultai/sink-neo4j`, then
// `node bench/neo4j-sink.bench.ts`.
//
// 1. Batched writes against one transaction per write: the same tasks ingested as one UNWIND per batch, and as one
//    transaction per task, side by side; prints the ratio (target: 10x).
// 2. The whole lifecycle (ingest, claim, complete with a memory and write-back) in tasks per second (target: 2,000).
//    Kurultai runs as a long-lived service, so this is Neo4j's steady state: a cold server runs the same work 2-4 times
//    slower while its JIT compiles (for 40,000 to 60,000 tasks on 2 cores), so at least five untimed warm-up rounds run,
//    until two in a row agree within 10%; each is printed. Then three timed rounds run and the median is the result.
// The machine's other load moves these figures a lot; compare runs made back to back. Beside each wall-clock figure the
// bench prints the CPU time the benchmark's own Node process and the Neo4j server spent, and the load average, so a
// slow figure on a busy machine can be told from a slow sink.
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Assignment, Sink } from '@kurultai/core';
import { createNeo4jSink } from '../packages/sink-neo4j/dist/index.js';
import { startNeo4jTestServer } from '../packages/sink-neo4j/test-server/neo4j-test-server.ts';

const BATCHED_TASKS = 5_000;
const SINGLE_TASKS = 500;
const LIFECYCLE_TASKS = 20_000;
const LIFECYCLE_ROUNDS = 3;
const WARM_UP_TASKS = 10_000;
const WARM_UP_MIN_ROUNDS = 5;
const WARM_UP_MAX_ROUNDS = 10;
/** Warm-up ends when a round's rate is within this fraction of the previous round's. */
const STEADY_WITHIN = 0.1;
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

/** Wall-clock seconds, and the CPU seconds of this process and of the Neo4j server (when its pid is known). */
interface Timing {
  readonly seconds: number;
  readonly nodeCpuSeconds: number;
  readonly neo4jCpuSeconds: number | undefined;
}

/** Linux's clock tick for /proc/<pid>/stat times; 100 on every Linux Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

/** User plus system CPU seconds of a process and all its threads, from /proc; undefined where there is no /proc. */
async function processCpuSeconds(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  // Fields after the command name (which may hold spaces, so split after its closing parenthesis): utime is 14th, stime 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

async function timed(work: () => Promise<void>): Promise<Timing> {
  const neo4jBefore = await processCpuSeconds(neo4jPid);
  const nodeBefore = process.cpuUsage();
  const began = performance.now();
  await work();
  const seconds = (performance.now() - began) / 1000;
  const node = process.cpuUsage(nodeBefore);
  const neo4jAfter = await processCpuSeconds(neo4jPid);
  return {
    seconds,
    nodeCpuSeconds: (node.user + node.system) / 1e6,
    neo4jCpuSeconds: neo4jBefore === undefined || neo4jAfter === undefined ? undefined : neo4jAfter - neo4jBefore,
  };
}

/** `12.3 s wall, CPU: Node 4.5 s, Neo4j 9.8 s (0.8 ms per task)` */
function describeTiming(timing: Timing, tasks: number): string {
  const neo4j = timing.neo4jCpuSeconds === undefined ? 'not measured (external server)' : `${timing.neo4jCpuSeconds.toFixed(1)} s`;
  const cpuPerTask = ((timing.nodeCpuSeconds + (timing.neo4jCpuSeconds ?? 0)) / tasks) * 1000;
  return `${timing.seconds.toFixed(1)} s wall; CPU: Node ${timing.nodeCpuSeconds.toFixed(1)} s, Neo4j ${neo4j}; ${cpuPerTask.toFixed(2)} CPU ms per task`;
}

function verdict(value: number, target: number): string {
  return value >= target ? 'target MET' : 'target MISSED';
}

function loadAverage(): string {
  return loadavg().map((load) => load.toFixed(1)).join(' ');
}

async function ingestTimings(sink: Sink): Promise<{ batched: Timing; single: Timing }> {
  const batched = await timed(async () => {
    for (const batch of chunks(assignments('batched', BATCHED_TASKS), INGEST_BATCH)) await sink.ingest(batch);
  });
  const single = await timed(async () => {
    for (const one of assignments('single', SINGLE_TASKS)) await sink.ingest([one]);
  });
  return { batched, single };
}

/**
 * Runs `count` tasks through the whole lifecycle as a dispatcher does: the source's batches are ingested while
 * `WORKER_LOOPS` loops claim up to `CLAIM_BATCH` tasks and complete each (with a memory and a write-back) concurrently.
 */
async function lifecycle(sink: Sink, prefix: string, count: number): Promise<Timing> {
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
  return timed(async () => {
    await Promise.all([ingest(), ...Array.from({ length: WORKER_LOOPS }, (_, loop) => work(loop))]);
  });
}

const external = process.env.NEO4J_URI;
const server = external ? undefined : await startNeo4jTestServer();
const uri = external ?? server!.uri;
/** The Neo4j server's process, for its CPU time; unknown for a server of one's own. */
const neo4jPid = server?.pid;
if (server) console.log(`Neo4j ${uri} started in ${server.startedInMs} ms`);
const sink = createNeo4jSink({ env: { ...process.env, NEO4J_URI: uri } });
try {
  await sink.init();
  console.log(`load average before: ${loadAverage()}`);
  // The lifecycle runs first, on an empty ledger, so that it claims only its own tasks. The warm-up rounds also warm the
  // query plans for the write comparison.
  let previousRate = 0;
  for (let round = 1; round <= WARM_UP_MAX_ROUNDS; round += 1) {
    const rate = WARM_UP_TASKS / (await lifecycle(sink, `warm${round}`, WARM_UP_TASKS)).seconds;
    const steady = round >= WARM_UP_MIN_ROUNDS && Math.abs(rate - previousRate) <= STEADY_WITHIN * previousRate;
    console.log(`warm-up lifecycle round ${round}, ${WARM_UP_TASKS} tasks (not the result): ${rate.toFixed(0)} tasks/s${steady ? ', steady' : ''}`);
    if (steady) break;
    if (round === WARM_UP_MAX_ROUNDS) console.log(`warm-up: not steady after ${round} rounds (a busy machine?); measuring anyway`);
    previousRate = rate;
  }
  const rounds: Timing[] = [];
  for (let round = 1; round <= LIFECYCLE_ROUNDS; round += 1) {
    const timing = await lifecycle(sink, `life${round}`, LIFECYCLE_TASKS);
    console.log(`lifecycle round ${round}: ${(LIFECYCLE_TASKS / timing.seconds).toFixed(0)} tasks/s (${describeTiming(timing, LIFECYCLE_TASKS)})`);
    rounds.push(timing);
  }
  const life = [...rounds].sort((a, b) => a.seconds - b.seconds)[Math.floor(rounds.length / 2)] as Timing;
  const writes = await ingestTimings(sink);
  const batchedRate = BATCHED_TASKS / writes.batched.seconds;
  const singleRate = SINGLE_TASKS / writes.single.seconds;
  const ratio = batchedRate / singleRate;
  const lifeRate = LIFECYCLE_TASKS / life.seconds;
  console.log(`ingest, one UNWIND per ${INGEST_BATCH} tasks: ${batchedRate.toFixed(0)} tasks/s (${describeTiming(writes.batched, BATCHED_TASKS)})`);
  console.log(`ingest, one transaction per task:        ${singleRate.toFixed(0)} tasks/s (${describeTiming(writes.single, SINGLE_TASKS)})`);
  console.log(`batched / one per write: ${ratio.toFixed(1)}x (target 10x: ${verdict(ratio, 10)})`);
  console.log(
    `lifecycle, median of ${LIFECYCLE_ROUNDS} rounds of ${LIFECYCLE_TASKS} tasks (ingest; ${WORKER_LOOPS} loops claiming ${CLAIM_BATCH} at a time; complete with memory and write-back): ` +
      `${lifeRate.toFixed(0)} tasks/s (target 2000: ${verdict(lifeRate, 2000)}; ${describeTiming(life, LIFECYCLE_TASKS)})`,
  );
  console.log(`load average after: ${loadAverage()}`);
} finally {
  await sink.close();
  await server?.dispose();
}
