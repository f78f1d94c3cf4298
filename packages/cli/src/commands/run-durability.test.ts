import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSqliteSink, type Sink } from '@kurultai/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The durability promise of issue 3, checked on the real thing: the built `kurultai` binary running a 1,000-task ledger
// on sqlite, killed with SIGKILL at several points, restarted each time. Each run of a task appends its idempotency key
// to runs.log (through the process spawner's environment), so re-runs after a kill are visible.

const BIN = fileURLToPath(new URL('../../bin/kurultai.js', import.meta.url));
const TASKS = 1000;
const taskId = (index: number) => `d-${String(index).padStart(4, '0')}`;

let folder: string;
const runsLog = () => join(folder, 'runs.log');
const runLines = () => (existsSync(runsLog()) ? readFileSync(runsLog(), 'utf8').split('\n').filter((line) => line !== '') : []);

beforeAll(() => {
  if (!existsSync(BIN.replace(/bin\/kurultai\.js$/, 'dist/bin.js'))) throw new Error('packages/cli is not built: run `pnpm turbo run build` first');
  folder = mkdtempSync(join(tmpdir(), 'kurultai-durability-'));
  const lines = Array.from({ length: TASKS }, (_, index) => JSON.stringify({ id: taskId(index), title: `Implement endpoint number ${index}` }));
  writeFileSync(join(folder, 'tasks.jsonl'), `${lines.join('\n')}\n`);
  const record = `printf '%s\\n' "$KURULTAI_IDEMPOTENCY_KEY" >> '${runsLog()}'; cat > /dev/null; printf done`;
  writeFileSync(
    join(folder, 'kurultai.config.yaml'),
    [
      'source: { use: file, with: { path: tasks.jsonl, statusFile: status.jsonl } }',
      'sink: { use: sqlite, with: { path: ledger.db } }',
      `spawner: { use: process, with: { command: sh, args: ["-c", ${JSON.stringify(record)}] } }`,
      'dispatcher: { maxConcurrentTasks: 8, leaseSeconds: 1, pollSeconds: 0.05, drainGraceSeconds: 1 }',
    ].join('\n'),
  );
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

function startRunner(): { child: ChildProcess; exit: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, [BIN, 'run', '--once'], { cwd: folder, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
  return { child, exit, stderr: () => stderr };
}

/** Waits until `ready` holds, then kills the runner with SIGKILL; fails if the runner ends first. */
async function killWhen(ready: () => boolean): Promise<void> {
  const runner = startRunner();
  let ended = false;
  void runner.exit.then(() => (ended = true));
  while (!ready()) {
    if (ended) throw new Error(`the runner ended before the kill point: ${runner.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  runner.child.kill('SIGKILL');
  await runner.exit;
}

async function withLedger<T>(use: (sink: Sink) => Promise<T>): Promise<T> {
  const sink = createSqliteSink({ path: join(folder, 'ledger.db'), busyTimeoutMs: 5000, batchWrites: false, synchronous: 'normal' });
  await sink.init();
  try {
    return await use(sink);
  } finally {
    await sink.close();
  }
}

describe('kurultai run under SIGKILL', () => {
  it('loses no task and completes none twice when killed at several points of a 1,000-task run', { timeout: 240_000 }, async () => {
    await killWhen(() => existsSync(join(folder, 'ledger.db'))); // while reading the source into a new ledger
    for (const runs of [1, 150, 450, 750]) await killWhen(() => runLines().length >= runs); // while tasks are running

    const last = startRunner();
    expect(await last.exit, last.stderr()).toBe(0);

    await withLedger(async (sink) => {
      expect((await sink.summary()).byStatus).toEqual({ completed: TASKS });
      for (let index = 0; index < TASKS; index += 1) {
        const completions = (await sink.history(taskId(index))).filter((change) => change.to === 'completed');
        expect(completions, taskId(index)).toHaveLength(1);
      }
    });
  });

  it('re-runs a task whose worker was killed with the same idempotency key, for the same attempt', () => {
    const keys = runLines();
    const expected = Array.from({ length: TASKS }, (_, index) => `${taskId(index)}:1`);
    expect(new Set(keys)).toEqual(new Set(expected));
    expect(keys.length).toBeGreaterThan(TASKS);
  });

  it('delivers every completion to the source once the runner is restarted', { timeout: 60_000 }, async () => {
    const completedIn = () =>
      new Set(
        readFileSync(join(folder, 'status.jsonl'), 'utf8')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as { kind: string; taskId: string })
          .filter((update) => update.kind === 'completed')
          .map((update) => update.taskId),
      );
    // Write-backs claimed by a killed runner come back once their lease (1 s here) lapses; a later run delivers them.
    for (let round = 0; round < 5 && completedIn().size < TASKS; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await startRunner().exit).toBe(0);
    }
    expect(completedIn().size).toBe(TASKS);
  });
});
