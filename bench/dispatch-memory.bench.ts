// The memory of a large backlog: 100,000 tasks read from a source, routed by the default council and queued in a
// sqlite ledger (review mode, so none runs), then the process's resident set size. The backlog lives in the ledger, not
// in the dispatcher, so what it retains is small; what RSS shows beyond that is V8's heap sizing while it routes and
// records at full speed. Each measure runs in a fresh child process (RSS is per process), once with Node's default
// flags and once with a small young generation (`--max-semi-space-size=2`), side by side. Target: at most 200 MB RSS.
// Run: pnpm bench dispatch-memory
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDispatcher, createEchoSpawner, createSqliteSink, dispatcherSettingsSchema, loadCouncil, type Source } from '@kurultai/core';

const TASKS = 100_000;
const BATCH = 500;
const TARGET_MB = 200;
const MB = 2 ** 20;

/** Makes each batch as it is read, as a real source would, rather than holding 100,000 tasks up front. */
function backlogSource(): Source {
  return {
    name: 'backlog',
    async *read() {
      for (let start = 0; start < TASKS; start += BATCH) {
        const tasks = Array.from({ length: BATCH }, (_, offset) => ({
          id: `queued-${start + offset}`,
          title: `Write the migration guide for release ${start + offset}`,
          description: 'Cover the breaking changes, the upgrade steps and the rollback plan.',
          source: 'backlog',
        }));
        yield { tasks, cursor: String(start + BATCH) };
      }
    },
    async writeBack() {},
  };
}

interface Measure {
  readonly seconds: number;
  readonly baselineMb: number;
  readonly rssMb: number;
  readonly peakMb: number;
  readonly retainedHeapMb: number;
}

/** The child's part: queue the backlog and report the figures as one JSON line. */
async function measure(): Promise<Measure> {
  const folder = mkdtempSync(join(tmpdir(), 'kurultai-bench-memory-'));
  const sink = createSqliteSink({ path: join(folder, 'ledger.db'), busyTimeoutMs: 5000, batchWrites: true, synchronous: 'normal' });
  await sink.init();
  try {
    const council = await loadCouncil(fileURLToPath(new URL('../rules', import.meta.url)));
    const settings = dispatcherSettingsSchema.parse({ autoExecute: false });
    const dispatcher = createDispatcher({ source: backlogSource(), sink, spawner: createEchoSpawner({ delayMs: 0, reply: '' }), council, settings });
    const baselineMb = process.memoryUsage().rss / MB;
    const started = performance.now();
    const summary = await dispatcher.runOnce();
    const seconds = (performance.now() - started) / 1000;
    if (summary.ledger.byStatus.assigned !== TASKS) throw new Error(`expected ${TASKS} queued tasks, got ${JSON.stringify(summary.ledger.byStatus)}`);
    const rssMb = process.memoryUsage().rss / MB;
    const peakMb = process.resourceUsage().maxRSS / 1024;
    (globalThis as { gc?: () => void }).gc?.();
    return { seconds, baselineMb, rssMb, peakMb, retainedHeapMb: process.memoryUsage().heapUsed / MB };
  } finally {
    await sink.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

if (process.argv.includes('--child')) {
  console.log(JSON.stringify(await measure()));
} else {
  console.log(`dispatch-memory: ${TASKS} tasks routed by the default council and queued in a sqlite ledger, each run in a fresh process`);
  for (const [label, flags] of [
    ['node defaults', []],
    ['--max-semi-space-size=2', ['--max-semi-space-size=2']],
  ] as const) {
    const output = execFileSync(process.execPath, [...flags, '--expose-gc', fileURLToPath(import.meta.url), '--child'], { encoding: 'utf8' });
    const m = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as Measure;
    console.log(
      `  ${label.padEnd(24)} peak RSS ${m.peakMb.toFixed(0)} MB (target at most ${TARGET_MB} MB: ${m.peakMb <= TARGET_MB ? 'MET' : 'MISSED'}), ` +
        `${m.rssMb.toFixed(0)} MB at the end, ${m.baselineMb.toFixed(0)} MB before reading, heap retained after GC ${m.retainedHeapMb.toFixed(0)} MB, ` +
        `${Math.round(TASKS / m.seconds)} tasks/s`,
    );
  }
}
