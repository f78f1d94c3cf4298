import { afterAll, beforeAll, expect, it } from 'vitest';
import { COMPLETIONS_QUERY, createRunFolder, type RunFolder } from '../test-server/kurultai-run.js';
import { queryGraph, testConnection, wipeGraph } from '../test-server/test-sink.js';

const TASKS = 1000;
let folder: RunFolder;

beforeAll(async () => {
  await wipeGraph();
  folder = createRunFolder(TASKS, { leaseSeconds: 60, concurrency: 8 });
});
afterAll(() => folder.remove());

it('completes each of 1,000 tasks exactly once with three kurultai run workers on one Neo4j', { timeout: 300_000 }, async () => {
  const workers = [0, 1, 2].map(() => folder.startWorker(testConnection()));

  const exits = await Promise.all(workers.map((worker) => worker.exit));

  for (const exit of exits) expect(exit.code, exit.stderr).toBe(0);
  const tasks = await queryGraph(COMPLETIONS_QUERY);
  expect(tasks.map((task) => task.id)).toEqual(folder.taskIds);
  expect(tasks.filter((task) => task.completions !== 1)).toEqual([]);
  const runs = folder.runs();
  expect(runs).toHaveLength(TASKS);
  expect(new Set(runs)).toEqual(new Set(folder.taskIds.map((id) => `${id}:1`)));
  const workerIds = new Set(tasks.flatMap((task) => task.workers as string[]));
  expect(workerIds.size).toBe(3);
});
