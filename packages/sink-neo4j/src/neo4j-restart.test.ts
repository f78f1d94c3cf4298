import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@kurultai/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { COMPLETIONS_QUERY, createRunFolder, type RunFolder } from '../test-server/kurultai-run.js';
import { type Neo4jTestServer, startNeo4jTestServer } from '../test-server/neo4j-test-server.js';
import { queryGraph } from '../test-server/test-sink.js';

// This test stops and starts a Neo4j of its own (the run's shared one stays up), on the same data folder, port and
// password.
const TASKS = 100;
const password = randomBytes(18).toString('base64url');
let home: string;
let server: Neo4jTestServer;
let folder: RunFolder;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'kurultai-neo4j-restart-'));
  server = await startNeo4jTestServer({ home, password });
  // Short leases, so that a claim whose answer was lost when Neo4j went down comes back soon. A task whose lease ran
  // out during the outage runs again under the same idempotency key; that is the contract (runs are at least once,
  // keyed), and what must hold is that every task is recorded completed exactly once.
  folder = createRunFolder(TASKS, { leaseSeconds: 15, concurrency: 4 });
});
afterAll(async () => {
  await server?.stop();
  folder?.remove();
  rmSync(home, { recursive: true, force: true });
});

it('lets a kurultai run worker wait while Neo4j restarts, then record every task completed exactly once', { timeout: 300_000 }, async () => {
  const worker = folder.startWorker(server.env);
  await waitFor('the worker to run its first tasks', async () => folder.runs().length >= 25, 120_000);

  await server.stop();
  const runsBeforeRestart = folder.runs().length;
  await sleep(1_000);
  server = await startNeo4jTestServer({ home, port: server.port, password });

  const exit = await worker.exit;
  expect(exit.code, exit.stderr).toBe(0);
  expect(runsBeforeRestart).toBeLessThan(TASKS);
  const tasks = await queryGraph(COMPLETIONS_QUERY, {}, 'READ', server.env);
  expect(tasks.map((task) => task.id)).toEqual(folder.taskIds);
  expect(tasks.filter((task) => task.completions !== 1)).toEqual([]);
  // Every task ran, and only ever as its first attempt: the outage cost no task an attempt of its own.
  expect(new Set(folder.runs())).toEqual(new Set(folder.taskIds.map((id) => `${id}:1`)));
});
