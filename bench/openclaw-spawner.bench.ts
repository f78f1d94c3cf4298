// The OpenClaw spawner's own overhead per run, against the bare protocol client (`@openclaw/gateway-client`) on the same
// real gateway, side by side in one process; then 50 concurrent runs over 3 agents. The model is the fake one, so the
// figures are the gateway's and the spawner's, not a model's.
//
//   pnpm --filter @kurultai/spawner-openclaw test:prepare && pnpm bench openclaw-spawner
//   RUNS=10 ROUND_TRIPS=400 CONCURRENT=50 node bench/openclaw-spawner.bench.ts
//
// Two measures of overhead: full runs (each a real agent turn, so noisy: the gateway spends seconds per turn), and
// re-sends of settled attempts, which the gateway answers from its idempotency cache: the same request and answer
// path without the agent turn, where the client side is all that differs.
import type { SpawnAgent, SpawnRequest } from '../packages/core/dist/index.js';
import { createOpenClawSpawner } from '../packages/spawner-openclaw/dist/index.js';
import { connectBareGatewayClient, startOpenClawTestBed } from '../packages/spawner-openclaw/dist/testing/index.js';

const RUNS = Number(process.env.RUNS ?? 8);
const ROUND_TRIPS = Number(process.env.ROUND_TRIPS ?? 300);
const CONCURRENT = Number(process.env.CONCURRENT ?? 50);
const AGENTS = ['scout', 'scribe', 'judge'];
const CAPACITY = 8;

let taskCount = 0;
function request(agentId: string, label: string): SpawnRequest {
  taskCount += 1;
  const taskId = `bench-${label}-${taskCount}`;
  const agent: SpawnAgent = { id: agentId, name: agentId, spawn: {} };
  return {
    taskId,
    attempt: 1,
    idempotencyKey: `${taskId}:1`,
    agent,
    prompt: `You are ${agentId}. Answer the task between the fences.\n<<<task\nSummarise ${taskId}.\n>>>`,
    timeoutMs: 300_000,
    signal: new AbortController().signal,
  };
}

/** What the spawner sends for `spawn`, sent by hand through the bare client. */
function bareParams(spawn: SpawnRequest) {
  return {
    message: spawn.prompt,
    agentId: spawn.agent.id,
    sessionKey: `agent:${spawn.agent.id}:kurultai:${spawn.taskId}`,
    idempotencyKey: spawn.idempotencyKey,
    timeout: Math.ceil(spawn.timeoutMs / 1000) + 1,
    label: `kurultai ${spawn.taskId}`,
  };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const format = (ms: number) => `${ms.toFixed(2)} ms`;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

const bed = await startOpenClawTestBed({ agentIds: AGENTS, maxConcurrent: CAPACITY });
const bare = await connectBareGatewayClient(bed.gateway);
const spawner = createOpenClawSpawner({ gatewayUrl: bed.gateway.url, capacity: CAPACITY }, { env: bed.env });
const expectOk = (outcome: { ok: boolean }) => {
  if (!outcome.ok) throw new Error(`a benchmark run failed: ${JSON.stringify(outcome)}`);
};
try {
  // Warm every agent through both clients: the first turn of an agent costs seconds more than the next.
  for (const agentId of AGENTS) {
    expectOk(await spawner.spawn(request(agentId, 'warm')));
    await bare.request('agent', bareParams(request(agentId, 'warm')), { expectFinal: true, timeoutMs: null });
  }

  // Full runs, interleaved and taking turns at going first, so both clients see the same gateway load.
  const fullBare: number[] = [];
  const fullSpawner: number[] = [];
  const settled: SpawnRequest[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const agentId = AGENTS[i % AGENTS.length] as string;
    const viaBare = request(agentId, 'bare');
    const viaSpawner = request(agentId, 'spawner');
    const runBare = async () => fullBare.push(await timed(() => bare.request('agent', bareParams(viaBare), { expectFinal: true, timeoutMs: null })));
    const runSpawner = async () => fullSpawner.push(await timed(async () => expectOk(await spawner.spawn(viaSpawner))));
    for (const run of i % 2 === 0 ? [runBare, runSpawner] : [runSpawner, runBare]) await run();
    settled.push(viaSpawner);
  }

  // Cached re-sends of the settled attempts: the gateway answers at once, so only the client side differs.
  const cachedBare: number[] = [];
  const cachedSpawner: number[] = [];
  for (let i = 0; i < ROUND_TRIPS; i += 1) {
    const spawn = settled[i % settled.length] as SpawnRequest;
    cachedBare.push(await timed(() => bare.request('agent', bareParams(spawn), { expectFinal: true, timeoutMs: null })));
    cachedSpawner.push(await timed(async () => expectOk(await spawner.spawn(spawn))));
  }

  // 50 concurrent runs over 3 agents through the spawner (it queues beyond its capacity).
  const concurrent = Array.from({ length: CONCURRENT }, (_, i) => request(AGENTS[i % AGENTS.length] as string, 'load'));
  const latencies: number[] = [];
  const wall = await timed(() =>
    Promise.all(
      concurrent.map(async (spawn) => {
        latencies.push(await timed(async () => expectOk(await spawner.spawn(spawn))));
      }),
    ),
  );

  const fullOverhead = quantile(fullSpawner, 0.5) - quantile(fullBare, 0.5);
  const cachedOverhead = quantile(cachedSpawner, 0.5) - quantile(cachedBare, 0.5);
  console.log(`model calls made by the gateway: ${bed.model.calls.length} for ${taskCount} tasks`);
  console.log(`OpenClaw ${bed.gateway.url}, agents ${AGENTS.join(', ')}, spawner capacity ${CAPACITY}`);
  console.log(`full runs (${RUNS} each): bare all ${fullBare.map((ms) => ms.toFixed(0)).join(' ')}; spawner all ${fullSpawner.map((ms) => ms.toFixed(0)).join(' ')}`);
  console.log(`full runs (${RUNS} each):        bare p50 ${format(quantile(fullBare, 0.5))} min ${format(Math.min(...fullBare))}, spawner p50 ${format(quantile(fullSpawner, 0.5))} min ${format(Math.min(...fullSpawner))}, difference ${format(fullOverhead)}, ratio ${(quantile(fullSpawner, 0.5) / quantile(fullBare, 0.5)).toFixed(3)}`);
  console.log(`cached re-sends (${ROUND_TRIPS} each): bare p50 ${format(quantile(cachedBare, 0.5))} p95 ${format(quantile(cachedBare, 0.95))}, spawner p50 ${format(quantile(cachedSpawner, 0.5))} p95 ${format(quantile(cachedSpawner, 0.95))}, overhead ${format(cachedOverhead)} per run, ratio ${(quantile(cachedSpawner, 0.5) / quantile(cachedBare, 0.5)).toFixed(3)}`);
  console.log(`spawner overhead per run (cached re-sends, p50): ${format(cachedOverhead)} (target < 5 ms): ${cachedOverhead < 5 ? 'met' : 'NOT met'}`);
  console.log(`${CONCURRENT} concurrent runs over ${AGENTS.length} agents: wall ${format(wall)}, ${(CONCURRENT / (wall / 1000)).toFixed(2)} runs/s, latency p50 ${format(quantile(latencies, 0.5))} p95 ${format(quantile(latencies, 0.95))}`);
} finally {
  await spawner.close();
  bare.stop();
  await bed.stop();
}
