// Dispatch throughput end to end: 10,000 tasks read from a source, routed by the default council, recorded in a sqlite
// ledger, claimed, run on the echo spawner, completed with their memories and write-backs delivered. The same run is made
// with the sink's write batching (group commit) on and off, in this process, and the ratio printed.
// The wall-clock rate decides the target; the CPU time per task beside it moves less on a shared, loaded machine.
// Run: pnpm bench dispatch      (ROUNDS=5 pnpm bench dispatch for more rounds)
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
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
const ROUNDS = Number(process.env.ROUNDS ?? 3);
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

/** One end-to-end run: the wall-clock rate, and the CPU time this process spent per task (steadier on a shared machine). */
interface RunFigures {
  readonly perSecond: number;
  readonly cpuMicrosPerTask: number;
}

async function runOnce(batchWrites: boolean, maxConcurrentTasks: number): Promise<RunFigures> {
  const folder = mkdtempSync(join(tmpdir(), 'kurultai-bench-'));
  const sink = createSqliteSink({ path: join(folder, 'ledger.db'), busyTimeoutMs: 5000, batchWrites, synchronous: 'normal' });
  await sink.init();
  try {
    const settings = dispatcherSettingsSchema.parse({ maxConcurrentTasks, pollSeconds: 0.05 });
    const spawner = createEchoSpawner({ delayMs: 0, reply: '{agentName} handled {taskId}' });
    const dispatcher = createDispatcher({ source: benchSource(), sink, spawner, council, settings });
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const summary = await dispatcher.runOnce();
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    if (summary.completed !== TASKS) throw new Error(`expected ${TASKS} completions, got ${summary.completed}`);
    return { perSecond: TASKS / seconds, cpuMicrosPerTask: (cpu.user + cpu.system) / TASKS };
  } finally {
    await sink.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The run with the median rate of several: one descheduled run on a loaded machine must not decide the verdict. */
function median(runs: readonly RunFigures[]): RunFigures {
  const sorted = [...runs].sort((a, b) => a.perSecond - b.perSecond);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (middle === undefined) throw new Error('no runs to take the median of');
  return middle;
}

const figures = (run: RunFigures): string =>
  `${String(Math.round(run.perSecond)).padStart(5)} tasks/s, ${run.cpuMicrosPerTask.toFixed(0).padStart(3)} us CPU/task`;

console.log(`dispatch: ${TASKS} tasks, sqlite sink + echo spawner, default council's rules (agent caps lifted), end to end (route, record, claim, run, complete, write back)`);
console.log(`  median of ${ROUNDS} rounds; batched and unbatched runs alternate in this process; Node ${process.version}, load average ${loadavg()[0]?.toFixed(1)}`);
const verdicts: string[] = [];
for (const concurrency of [3, 64]) {
  const batchedRuns: RunFigures[] = [];
  const unbatchedRuns: RunFigures[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    batchedRuns.push(await runOnce(true, concurrency));
    unbatchedRuns.push(await runOnce(false, concurrency));
  }
  const batched = median(batchedRuns);
  const unbatched = median(unbatchedRuns);
  const met = batched.perSecond >= TARGET_PER_SECOND;
  verdicts.push(`maxConcurrentTasks ${concurrency}: ${met ? 'MET' : 'MISSED'} (${Math.round(batched.perSecond)} tasks/s)`);
  console.log(
    `  maxConcurrentTasks ${String(concurrency).padStart(2)}: batched writes ${figures(batched)} | one transaction per write ${figures(unbatched)} | ` +
      `ratio ${(batched.perSecond / unbatched.perSecond).toFixed(2)}x wall, ${(unbatched.cpuMicrosPerTask / batched.cpuMicrosPerTask).toFixed(2)}x CPU`,
  );
}
console.log(`  target: at least ${TARGET_PER_SECOND} tasks/s end to end with batched writes: ${verdicts.join('; ')}`);
