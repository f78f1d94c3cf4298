// The Notion source on a 5,000-page database in the fake Notion API, at Notion's own rate limit (3 requests per second,
// bursts of 10): the first sync, then idle polls, side by side with the alternative of re-reading the whole database at each
// poll. Prints requests, time, and whether Notion's rate limiter answered any 429.
//
// Run: pnpm turbo run build --filter @kurultai/source-notion && node bench/notion-source.bench.ts
import type { SourceBatch } from '@kurultai/core';
import { createNotionSource, type NotionSource } from '../packages/source-notion/dist/index.js';
import { createTaskBoard, NOTION_RATE_LIMIT, startFakeNotionServer } from '../packages/source-notion/dist/testing/index.js';
import { warningsOnly } from './warnings-only-logger.ts';

const PAGES = 5_000;
const IDLE_POLLS = 5;
/** Full re-reads take 50 requests each at 3 per second: two are enough to compare. */
const FULL_POLLS = 2;

// Pages are added one a minute over the past days, as a real board fills up; the fake's clock then runs in real time.
let clock = Date.now() - PAGES * 60_000;
const fake = await startFakeNotionServer({ rateLimit: NOTION_RATE_LIMIT, now: () => new Date(clock) });
const { databaseId, dataSourceId } = createTaskBoard(fake.workspace);
for (let i = 0; i < PAGES; i += 1) {
  fake.workspace.createPage(dataSourceId, {
    Name: `Task ${i} 🚀`,
    Status: 'Not started',
    Description: `Details of task ${i}`,
    Priority: 'High',
  });
  clock += 60_000;
}
clock = Date.now();
const realTime = setInterval(() => (clock = Date.now()), 100);

const source: NotionSource = await createNotionSource(
  { database: databaseId, baseUrl: fake.url, requestsPerSecond: NOTION_RATE_LIMIT.requestsPerSecond },
  { logger: warningsOnly, env: { NOTION_TOKEN: fake.token }, baseDir: process.cwd() },
);

async function poll(
  cursor: string | undefined,
): Promise<{ tasks: number; cursor: string | undefined; requests: number; ms: number }> {
  const before = fake.count();
  const started = performance.now();
  let tasks = 0;
  let last: SourceBatch | undefined;
  for await (const batch of source.read({ cursor, follow: false, signal: new AbortController().signal })) {
    tasks += batch.tasks.length;
    last = batch;
  }
  return { tasks, cursor: last?.cursor ?? cursor, requests: fake.count() - before, ms: performance.now() - started };
}

const first = await poll(undefined);
console.log(
  `first sync: ${first.tasks} tasks from ${PAGES} pages, ${first.requests} requests, ${(first.ms / 1000).toFixed(1)} s`,
);

let incremental = { requests: 0, ms: 0, tasks: 0 };
let cursor = first.cursor;
for (let i = 0; i < IDLE_POLLS; i += 1) {
  const idle = await poll(cursor);
  cursor = idle.cursor;
  incremental = {
    requests: incremental.requests + idle.requests,
    ms: incremental.ms + idle.ms,
    tasks: incremental.tasks + idle.tasks,
  };
}
let rereading = { requests: 0, ms: 0, tasks: 0 };
for (let i = 0; i < FULL_POLLS; i += 1) {
  const full = await poll(undefined);
  rereading = { requests: rereading.requests + full.requests, ms: rereading.ms + full.ms, tasks: rereading.tasks + full.tasks };
}

const perPoll = (total: { requests: number; ms: number; tasks: number }, polls: number) =>
  `${(total.requests / polls).toFixed(1)} requests, ${(total.ms / polls).toFixed(0)} ms, ${total.tasks / polls} tasks delivered again per poll`;
console.log(`idle poll, incremental cursor (${IDLE_POLLS} polls): ${perPoll(incremental, IDLE_POLLS)}`);
console.log(`idle poll, full re-read        (${FULL_POLLS} polls): ${perPoll(rereading, FULL_POLLS)}`);
const ratio = (of: (total: typeof incremental) => number) =>
  (of(rereading) / FULL_POLLS / (of(incremental) / IDLE_POLLS)).toFixed(1);
console.log(`ratio full re-read / incremental per idle poll: ${ratio((t) => t.requests)}x requests, ${ratio((t) => t.ms)}x time`);
const seconds = (fake.requests.at(-1)!.at - fake.requests[0]!.at) / 1000;
console.log(
  `rate: ${fake.count()} requests in ${seconds.toFixed(1)} s = ${((fake.count() - 1) / seconds).toFixed(2)} req/s at a configured ${NOTION_RATE_LIMIT.requestsPerSecond} req/s; ` +
    `429s from Notion's limiter: ${fake.throttled}; rate-limited answers seen by the source: ${source.stats.rateLimited}`,
);

clearInterval(realTime);
await source.close();
await fake.close();
if (fake.throttled > 0) process.exitCode = 1;
