// Dispatch throughput end to end: 10,000 tasks read from a source, routed by the default council, recorded in a sqlite
// ledger, claimed, run on the echo spawner, completed with their memories and write-backs delivered. The same run is made
// with the sink's write batching (group commit) on and off, in this process, and the ratio printed.
// The wall-clock rate decides the target; the CPU time per task beside it moves less on a shared, loaded machine, and the
// bytes this process wrote per task (the WAL and its checkpoints, from /proc/self/io) do not depend on the load at all.
// Run: pnpm bench dispatch      (ROUNDS=5 for more rounds; SYNCHRONOUS=full for the ledger's power-cut setting)
// To compare a change to the sink against the code before it, in the same process with the runs alternating:
//   cp -r packages/core/dist /tmp/core-before   (on the old commit), then BASELINE_CORE=/tmp/core-before pnpm bench dispatch
// The baseline build must sit where its own imports resolve (inside the workspace, e.g. packages/core/dist-before).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createDispatcher,
  createEchoSpawner,
  createSqliteSink,
  dispatcherSettingsSchema,
  loadCouncil,
  type Council,
  type SqliteSinkOptions,
  type Source,
  type TaskInput,
} from '@kurultai/core';

const TASKS = 10_000;
const TARGET_PER_SECOND = 5_000;
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SYNCHRONOUS = process.env.SYNCHRONOUS === 'full' ? 'full' : 'normal';
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

type OpenSink = (options: SqliteSinkOptions) => ReturnType<typeof createSqliteSink>;

/** The sink of another build of @kurultai/core (BASELINE_CORE: its dist folder), run against this one's dispatcher. */
async function baselineSink(): Promise<{ readonly folder: string; readonly open: OpenSink } | undefined> {
  const folder = process.env.BASELINE_CORE;
  if (folder === undefined) return undefined;
  const entry = join(folder, 'index.js');
  if (!existsSync(entry)) throw new Error(`BASELINE_CORE=${folder} holds no index.js: point it at a built packages/core/dist`);
  const baseline = (await import(pathToFileURL(entry).href)) as { readonly createSqliteSink: OpenSink };
  return { folder, open: baseline.createSqliteSink };
}

/**
 * One end-to-end run: the wall-clock rate, the CPU time this process spent per task (steadier on a shared machine), and
 * the bytes it wrote per task (independent of the load).
 */
interface RunFigures {
  readonly perSecond: number;
  readonly cpuMicrosPerTask: number;
  readonly kibWrittenPerTask: number;
}

/** Bytes this process has passed to write calls so far (Linux). */
function bytesWritten(): number {
  const written = /^wchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1];
  if (written === undefined) throw new Error('/proc/self/io has no wchar line');
  return Number(written);
}

async function runOnce(openSink: OpenSink, batchWrites: boolean, maxConcurrentTasks: number): Promise<RunFigures> {
  const folder = mkdtempSync(join(tmpdir(), 'kurultai-bench-'));
  const sink = openSink({ path: join(folder, 'ledger.db'), busyTimeoutMs: 5000, batchWrites, synchronous: SYNCHRONOUS });
  await sink.init();
  try {
    const settings = dispatcherSettingsSchema.parse({ maxConcurrentTasks, pollSeconds: 0.05 });
    const spawner = createEchoSpawner({ delayMs: 0, reply: '{agentName} handled {taskId}' });
    const dispatcher = createDispatcher({ source: benchSource(), sink, spawner, council, settings });
    const writtenBefore = bytesWritten();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const summary = await dispatcher.runOnce();
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const written = bytesWritten() - writtenBefore;
    if (summary.completed !== TASKS) throw new Error(`expected ${TASKS} completions, got ${summary.completed}`);
    return { perSecond: TASKS / seconds, cpuMicrosPerTask: (cpu.user + cpu.system) / TASKS, kibWrittenPerTask: written / 1024 / TASKS };
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
  `${String(Math.round(run.perSecond)).padStart(5)} tasks/s, ${run.cpuMicrosPerTask.toFixed(0).padStart(3)} us CPU/task, ` +
  `${run.kibWrittenPerTask.toFixed(1)} KiB written/task`;

const baseline = await baselineSink();

console.log(`dispatch: ${TASKS} tasks, sqlite sink + echo spawner, default council's rules (agent caps lifted), end to end (route, record, claim, run, complete, write back)`);
console.log(
  `  median of ${ROUNDS} rounds; batched and unbatched runs${baseline === undefined ? '' : ` and the baseline build's (${baseline.folder})`} ` +
    `alternate in this process; synchronous=${SYNCHRONOUS}; Node ${process.version}, load average ${loadavg()[0]?.toFixed(1)}`,
);
const verdicts: string[] = [];
for (const concurrency of [3, 64]) {
  const batchedRuns: RunFigures[] = [];
  const unbatchedRuns: RunFigures[] = [];
  const baselineRuns: RunFigures[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    batchedRuns.push(await runOnce(createSqliteSink, true, concurrency));
    if (baseline !== undefined) baselineRuns.push(await runOnce(baseline.open, true, concurrency));
    unbatchedRuns.push(await runOnce(createSqliteSink, false, concurrency));
  }
  const batched = median(batchedRuns);
  const unbatched = median(unbatchedRuns);
  const met = batched.perSecond >= TARGET_PER_SECOND;
  verdicts.push(`maxConcurrentTasks ${concurrency}: ${met ? 'MET' : 'MISSED'} (${Math.round(batched.perSecond)} tasks/s)`);
  console.log(
    `  maxConcurrentTasks ${String(concurrency).padStart(2)}: batched writes ${figures(batched)} | one transaction per write ${figures(unbatched)} | ` +
      `ratio ${(batched.perSecond / unbatched.perSecond).toFixed(2)}x wall, ${(unbatched.cpuMicrosPerTask / batched.cpuMicrosPerTask).toFixed(2)}x CPU`,
  );
  if (baseline !== undefined) {
    const before = median(baselineRuns);
    console.log(
      `  maxConcurrentTasks ${String(concurrency).padStart(2)}: baseline build, batched ${figures(before)} | this build against it: ` +
        `${(batched.perSecond / before.perSecond).toFixed(2)}x wall, ${(before.cpuMicrosPerTask / batched.cpuMicrosPerTask).toFixed(2)}x CPU, ` +
        `${(before.kibWrittenPerTask / batched.kibWrittenPerTask).toFixed(2)}x fewer bytes written`,
    );
  }
}
console.log(`  target: at least ${TARGET_PER_SECOND} tasks/s end to end with batched writes: ${verdicts.join('; ')}`);
