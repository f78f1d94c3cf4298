// Dispatch throughput end to end: 10,000 tasks read from a source, routed by the default council, recorded in a sqlite
// ledger, claimed, run on the echo spawner, completed with their memories and write-backs delivered. The same run is made
// with the sink's write batching (group commit) on and off, in this process, and the ratio printed.
// Run: pnpm bench dispatch
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createDispatcher,
  createEchoSpawner,
  createSqliteSink,
  dispatcherSettingsSchema,
  loadCouncil,
  type Council,
  type Source,
  type TaskInput,
} from '@kurultai/core';

const TASKS = 10_000;
const TARGET_PER_SECOND = 5_000;
const TITLES = [
  'Research vector databases for semantic search',
  'Implement the OAuth login flow',
  'Write the API reference for the billing endpoints',
  'Audit the dependencies for known CVEs',
  'Deploy the staging cluster with the new ingress',
  'Coordinate the release plan across the teams',
];

const tasks: TaskInput[] = Array.from({ length: TASKS }, (_, index) => ({
  id: `bench-${index}`,
  title: `${TITLES[index % TITLES.length]} #${index}`,
  priority: index % 10 === 0 ? 'high' : 'normal',
  source: 'bench',
}));

/** Delivers the tasks in batches of 500, as the file source does, and accepts every write-back. */
function benchSource(): Source {
  return {
    name: 'bench',
    async *read() {
      for (let start = 0; start < tasks.length; start += 500) yield { tasks: tasks.slice(start, start + 500), cursor: String(start + 500) };
    },
    async writeBack() {},
  };
}

// The default council caps two agents (jochi 2, ogedei 1): those caps, not the dispatcher, would set the pace of a
// 10,000-task run. The benchmark measures the dispatcher, so it routes with the default rules and lifts the caps.
const defaultCouncil = await loadCouncil(fileURLToPath(new URL('../rules/', import.meta.url)));
const council: Council = {
  agents: defaultCouncil.agents.map(({ maxConcurrent: _cap, ...agent }) => agent),
  defaultAgent: defaultCouncil.defaultAgent,
  route: (task) => defaultCouncil.route(task),
  prompt: (agentId, task) => defaultCouncil.prompt(agentId, task),
};

async function runOnce(batchWrites: boolean, maxConcurrentTasks: number): Promise<number> {
  const folder = mkdtempSync(join(tmpdir(), 'kurultai-bench-'));
  const sink = createSqliteSink({ path: join(folder, 'ledger.db'), busyTimeoutMs: 5000, batchWrites, synchronous: 'normal' });
  await sink.init();
  try {
    const settings = dispatcherSettingsSchema.parse({ maxConcurrentTasks, pollSeconds: 0.05 });
    const spawner = createEchoSpawner({ delayMs: 0, reply: '{agentName} handled {taskId}' });
    const dispatcher = createDispatcher({ source: benchSource(), sink, spawner, council, settings });
    const started = performance.now();
    const summary = await dispatcher.runOnce();
    const seconds = (performance.now() - started) / 1000;
    if (summary.completed !== TASKS) throw new Error(`expected ${TASKS} completions, got ${summary.completed}`);
    return TASKS / seconds;
  } finally {
    await sink.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

console.log(`dispatch: ${TASKS} tasks, sqlite sink + echo spawner, default council's rules (agent caps lifted), end to end (route, record, claim, run, complete, write back)`);
for (const concurrency of [3, 64]) {
  const batched = await runOnce(true, concurrency);
  const unbatched = await runOnce(false, concurrency);
  const verdict = batched >= TARGET_PER_SECOND ? 'meets' : 'misses';
  console.log(
    `  maxConcurrentTasks ${String(concurrency).padStart(2)}: batched writes ${Math.round(batched)} tasks/s (${verdict} the ${TARGET_PER_SECOND}/s target), ` +
      `one transaction per write ${Math.round(unbatched)} tasks/s, ratio ${(batched / unbatched).toFixed(2)}x`,
  );
}
