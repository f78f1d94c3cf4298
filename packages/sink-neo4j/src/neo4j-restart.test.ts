import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { COMPLETIONS_QUERY, createRunFolder, type RunFolder } from '../test-server/kurultai-run.js';
import { type Neo4jTestServer, startNeo4jTestServer } from '../test-server/neo4j-test-server.js';
import { queryGraph } from '../test-server/test-sink.js';

// This test stops and starts a Neo4j of its own (the run's shared one stays up), on the same data folder and port.
const TASKS = 200;
let home: string;
let server: Neo4jTestServer;
let folder: RunFolder;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'kurultai-neo4j-restart-'));
  server = await startNeo4jTestServer({ home });
  // Leases long enough to outlast the restart and the driver's retry back-off: a task in flight keeps its lease, so
  // its completion is accepted once Neo4j is back, and no task has to run a second time.
  folder = createRunFolder(TASKS, { leaseSeconds: 120, concurrency: 4 });
});
afterAll(async () => {
  await server?.stop();
  folder?.remove();
  rmSync(home, { recursive: true, force: true });
});

async function until(what: string, check: () => boolean, deadlineMs = 120_000): Promise<void> {
  const giveUpAt = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > giveUpAt) throw new Error(`gave up waiting for ${what}`);
    await sleep(20);
  }
}

it('lets a kurultai run worker wait while Neo4j restarts, then finish every task exactly once', { timeout: 300_000 }, async () => {
  const worker = folder.startWorker(server.uri);
  await until('the worker to run its first tasks', () => folder.runs().length >= 40);

  await server.stop();
  const runsBeforeRestart = folder.runs().length;
  await sleep(1_000);
  server = await startNeo4jTestServer({ home, port: server.port });

  const exit = await worker.exit;
  expect(exit.code, exit.stderr).toBe(0);
  expect(runsBeforeRestart).toBeLessThan(TASKS);
  const tasks = await queryGraph(COMPLETIONS_QUERY, {}, 'READ', server.uri);
  expect(tasks.map((task) => task.id)).toEqual(folder.taskIds);
  expect(tasks.filter((task) => task.completions !== 1)).toEqual([]);
  const runs = folder.runs();
  expect(new Set(runs)).toEqual(new Set(folder.taskIds.map((id) => `${id}:1`)));
  expect(runs).toHaveLength(TASKS);
});
