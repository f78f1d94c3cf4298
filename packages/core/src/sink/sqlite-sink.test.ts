import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeSinkConformance, sampleAssignment, sampleMemory, sleepPast, waitFor } from '../testing/index.js';
import type { Priority, TaskInput } from '../task.js';
import { createSqliteSink, sqliteSink, sqliteSinkOptions, type SqliteSinkOptions } from './sqlite-sink.js';

const run = promisify(execFile);

function optionsFor(path: string, overrides: Partial<SqliteSinkOptions> = {}): SqliteSinkOptions {
  return { ...sqliteSinkOptions.parse({ path }), ...overrides };
}

for (const batchWrites of [true, false]) {
  describeSinkConformance(`sqlite (${batchWrites ? 'group commit' : 'one transaction per write'})`, {
    createStore: async () => {
      const folder = await mkdtemp(join(tmpdir(), 'kurultai-sqlite-'));
      const path = join(folder, 'ledger.sqlite');
      return {
        openSink: async () => createSqliteSink(optionsFor(path, { batchWrites })),
        dispose: () => rm(folder, { recursive: true, force: true }),
      };
    },
  });
}

/** The built sink, which worker processes load as users' processes would. */
const builtSink = fileURLToPath(new URL('../../dist/sink/sqlite-sink.js', import.meta.url));

/** A worker process: claims and completes tasks until none are left, then prints the ids it completed. */
const workerScript = `
  const [modulePath, path, workerId] = process.argv.slice(1);
  const { createSqliteSink } = await import(modulePath);
  const sink = createSqliteSink({ path, busyTimeoutMs: 30000, batchWrites: true, synchronous: 'normal' });
  await sink.init();
  const done = [];
  for (;;) {
    const claims = await sink.claim({ workerId, limit: 4, leaseMs: 60000 });
    if (claims.length === 0) break;
    await Promise.all(claims.map(async ({ lease, task }) => {
      const memory = { agent: 'researcher', kind: 'learning', content: 'ok', importance: 0.7, tags: [], taskId: task.id };
      if (await sink.complete(lease, { output: workerId, memory })) done.push(task.id);
    }));
  }
  await sink.close();
  process.stdout.write(JSON.stringify(done));
`;

/** A worker process that completes tasks slowly, saying each one it completed, until it is killed. */
const slowWorkerScript = `
  const [modulePath, path] = process.argv.slice(1);
  const { createSqliteSink } = await import(modulePath);
  const sink = createSqliteSink({ path, busyTimeoutMs: 30000, batchWrites: true, synchronous: 'normal' });
  await sink.init();
  for (;;) {
    const claims = await sink.claim({ workerId: 'doomed', limit: 4, leaseMs: 400 });
    await Promise.all(claims.map(async ({ lease, task }) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const memory = { agent: 'researcher', kind: 'learning', content: 'ok', importance: 0.7, tags: [], taskId: task.id };
      if (await sink.complete(lease, { output: 'doomed', memory })) process.stdout.write('done ' + task.id + '\\n');
    }));
  }
`;

describe('sqlite sink', () => {
  let folder: string;
  let path: string;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'kurultai-sqlite-'));
    path = join(folder, 'ledger.sqlite');
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('lets worker processes sharing one file complete every task exactly once', async () => {
    expect(existsSync(builtSink), `${builtSink} is missing: build @kurultai/core first (pnpm turbo run build)`).toBe(true);
    const sink = createSqliteSink(optionsFor(path));
    await sink.init();
    const ids = Array.from({ length: 300 }, (_, i) => `t${String(i).padStart(3, '0')}`);
    await sink.ingest(ids.map((id) => sampleAssignment(id)));
    const workers = ['w1', 'w2', 'w3', 'w4'].map((workerId) =>
      run(process.execPath, ['--input-type=module', '-e', workerScript, builtSink, path, workerId], { timeout: 60_000 }),
    );
    const completed = (await Promise.all(workers)).flatMap(({ stdout }) => JSON.parse(stdout) as string[]);
    expect([...completed].sort()).toEqual(ids);
    expect((await sink.summary()).byStatus).toEqual({ completed: 300 });
    const finishes = (await sink.history('t123')).filter((change) => change.to === 'completed');
    expect(finishes).toHaveLength(1);
    await sink.close();
    // Four Node processes start and share the file: seconds on a busy machine, so more than vitest's default 5 s.
  }, 60_000);

  it('loses no committed write of a worker killed with SIGKILL, and runs its unfinished tasks once more', async () => {
    expect(existsSync(builtSink), `${builtSink} is missing: build @kurultai/core first (pnpm turbo run build)`).toBe(true);
    const sink = createSqliteSink(optionsFor(path));
    await sink.init();
    const ids = Array.from({ length: 200 }, (_, i) => `t${i}`);
    await sink.ingest(ids.map((id) => sampleAssignment(id)));
    const worker = spawn(process.execPath, ['--input-type=module', '-e', slowWorkerScript, builtSink, path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let reported = '';
    worker.stdout.on('data', (chunk: Buffer) => (reported += chunk.toString()));
    await waitFor('the worker to complete some tasks', async () => reported.split('\n').length > 40, 30_000);
    worker.kill('SIGKILL');
    await new Promise((resolve) => worker.once('close', resolve));
    const doneByWorker = reported
      .split('\n')
      .filter((line) => line.startsWith('done '))
      .map((line) => line.slice(5));
    for (;;) {
      await sink.recoverExpiredLeases();
      const claims = await sink.claim({ workerId: 'survivor', limit: 50, leaseMs: 60_000 });
      const memory = (taskId: string) => sampleMemory(taskId, 'researcher');
      await Promise.all(claims.map(({ lease, task }) => sink.complete(lease, { output: 'survivor', memory: memory(task.id) })));
      const { byStatus } = await sink.summary();
      if (byStatus.completed === ids.length) break;
      if (claims.length === 0) await sleepPast(new Date(), 100);
    }
    for (const id of doneByWorker) expect(await sink.getTask(id)).toMatchObject({ status: 'completed', output: 'doomed' });
    for (const id of ids) {
      const finishes = (await sink.history(id)).filter((change) => change.to === 'completed');
      expect(finishes, id).toHaveLength(1);
    }
    await sink.close();
  });

  it('rolls back a write that fails inside a group commit alone, and commits the writes beside it', async () => {
    const sink = createSqliteSink(optionsFor(path, { batchWrites: true }));
    await sink.init();
    const unserialisable: TaskInput = { ...sampleAssignment('bad').task, properties: { size: 10n } };
    const [failing, passing] = await Promise.allSettled([
      sink.ingest([sampleAssignment('first-of-failing'), { ...sampleAssignment('bad'), task: unserialisable }]),
      sink.ingest([sampleAssignment('beside')]),
    ]);
    expect(failing.status).toBe('rejected');
    expect(passing).toEqual({ status: 'fulfilled', value: { inserted: ['beside'] } });
    expect(await sink.getTask('first-of-failing')).toBeUndefined();
    expect(await sink.getTask('beside')).toMatchObject({ status: 'assigned' });
    await sink.close();
  });

  it.each([true, false])(
    'fails a write with the ledger in its place when another process holds the lock past the busy timeout (group commit %s)',
    async (batchWrites) => {
      const sink = createSqliteSink(optionsFor(path, { batchWrites, busyTimeoutMs: 100 }));
      await sink.init();
      const other = new DatabaseSync(path);
      other.exec('BEGIN IMMEDIATE');
      await expect(sink.ingest([sampleAssignment('t1')])).rejects.toMatchObject({
        code: 'sink_write_failed',
        place: { file: path, plugin: 'sqlite' },
      });
      other.exec('ROLLBACK');
      other.close();
      expect(await sink.ingest([sampleAssignment('t1')])).toEqual({ inserted: ['t1'] });
      await sink.close();
    },
  );

  it('queues a task with a priority outside the four as normal', async () => {
    const sink = createSqliteSink(optionsFor(path));
    await sink.init();
    const odd = sampleAssignment('odd');
    await sink.ingest([{ ...odd, task: { ...odd.task, priority: 'urgent' as unknown as Priority } }]);
    await sink.ingest([sampleAssignment('low', { priority: 'low' })]);
    const claims = await sink.claim({ workerId: 'w', limit: 2, leaseMs: 60_000 });
    expect(claims.map((claim) => claim.task.id)).toEqual(['odd', 'low']);
    await sink.close();
  });

  it('keeps everything it committed across closing and reopening the file', async () => {
    const first = createSqliteSink(optionsFor(path));
    await first.init();
    await first.ingest([sampleAssignment('t1')]);
    const [claim] = await first.claim({ workerId: 'w', limit: 1, leaseMs: 60_000 });
    if (claim === undefined) throw new Error('expected to claim t1');
    await first.complete(claim.lease, { output: 'kept', memory: sampleMemory('t1', 'researcher') });
    await first.close();
    const second = createSqliteSink(optionsFor(path));
    await second.init();
    expect(await second.getTask('t1')).toMatchObject({ status: 'completed', output: 'kept' });
    await second.close();
  });

  it('opens a ledger made before corrections were recorded, keeps its tasks, and records corrections in it', async () => {
    const first = createSqliteSink(optionsFor(path));
    await first.init();
    await first.ingest([sampleAssignment('t1')]);
    await first.close();
    // An earlier version's ledger: the same tables, without `corrections`.
    const earlier = new DatabaseSync(path);
    earlier.exec('DROP TABLE corrections');
    earlier.close();
    const sink = createSqliteSink(optionsFor(path));
    await sink.init();
    expect(await sink.getTask('t1')).toMatchObject({ status: 'assigned', decision: { agent: 'researcher' } });
    expect(await sink.reassign({ taskId: 't1', to: 'builder', by: 'Ada' })).toMatchObject({ outcome: 'moved' });
    expect(await sink.corrections()).toEqual([expect.objectContaining({ from: 'researcher', to: 'builder', by: 'Ada' })]);
    await sink.close();
  });

  it("creates its file, and the file's folder, relative to the config file's folder", async () => {
    const sink = await sqliteSink.create(sqliteSinkOptions.parse({ path: 'state/ledger.sqlite' }), {
      logger: console,
      env: {},
      baseDir: folder,
    });
    await sink.init();
    await sink.close();
    expect(existsSync(join(folder, 'state', 'ledger.sqlite'))).toBe(true);
  });

  it('fails with the file in its place when the ledger cannot be opened', () => {
    expect(() => createSqliteSink(optionsFor(folder))).toThrowError(
      expect.objectContaining({ code: 'sink_open_failed', place: { file: folder, plugin: 'sqlite' } }),
    );
  });
});
