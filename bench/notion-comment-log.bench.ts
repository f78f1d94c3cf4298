// What the Notion source's comment log costs and buys: completed write-backs (a status and a comment each) at Notion's
// own rate limit, then a person resolves every comment, the source restarts and the same write-backs are offered again
// (as the dispatcher's outbox does when it had not recorded them delivered). Side by side: without `properties.commentLog`
// (only the page's unresolved comments are checked) and with it. Prints requests, time and duplicate comments.
//
// Run: pnpm turbo run build --filter @kurultai/source-notion && node bench/notion-comment-log.bench.ts
import type { WriteBack } from '@kurultai/core';
import { createNotionSource } from '../packages/source-notion/dist/index.js';
import {
  createTaskBoard,
  NOTION_RATE_LIMIT,
  startFakeNotionServer,
  TASK_BOARD_PROPERTIES,
} from '../packages/source-notion/dist/testing/index.js';
import { warningsOnly } from './warnings-only-logger.ts';

const TASKS = 12;

interface Round {
  readonly requests: number;
  readonly ms: number;
}

interface Outcome {
  readonly first: Round;
  readonly offeredAgain: Round;
  readonly duplicates: number;
}

async function run(commentLog: string | undefined): Promise<Outcome> {
  const fake = await startFakeNotionServer({ rateLimit: NOTION_RATE_LIMIT });
  const properties = { ...TASK_BOARD_PROPERTIES, 'Kurultai log': { type: 'rich_text' } } as const;
  const { databaseId, dataSourceId } = createTaskBoard(fake.workspace, properties);
  const pageIds = Array.from({ length: TASKS }, (_, i) =>
    fake.workspace.createPage(dataSourceId, { Name: `Task ${i}`, Status: 'Not started' }),
  );
  const updates: WriteBack[] = pageIds.map((taskId, i) => ({
    kind: 'completed',
    taskId,
    agent: 'mongke',
    output: `Answer ${i}`,
  }));
  const options = {
    database: databaseId,
    baseUrl: fake.url,
    requestsPerSecond: NOTION_RATE_LIMIT.requestsPerSecond,
    properties: { title: 'Name', status: 'Status', ...(commentLog === undefined ? {} : { commentLog }) },
  };
  const context = { logger: warningsOnly, env: { NOTION_TOKEN: fake.token }, baseDir: process.cwd() };

  const round = async (): Promise<Round> => {
    const source = await createNotionSource(options, context);
    const before = fake.count();
    const started = performance.now();
    for (const update of updates) await source.writeBack(update);
    const result = { requests: fake.count() - before, ms: performance.now() - started };
    await source.close();
    return result;
  };
  const first = await round();
  for (const pageId of pageIds) fake.workspace.resolveDiscussions(pageId);
  const offeredAgain = await round();
  const comments = pageIds.reduce((sum, pageId) => sum + fake.workspace.commentsOn(pageId).length, 0);
  if (fake.throttled > 0) process.exitCode = 1;
  await fake.close();
  return { first, offeredAgain, duplicates: comments - TASKS };
}

const describe = (round: Round) =>
  `${(round.requests / TASKS).toFixed(1)} requests, ${(round.ms / TASKS).toFixed(0)} ms per write-back`;
const without = await run(undefined);
const withLog = await run('Kurultai log');
for (const [name, outcome] of [
  ['without comment log', without],
  ['with comment log   ', withLog],
] as const) {
  console.log(
    `${name}: first delivery ${describe(outcome.first)}; offered again after a restart, comments resolved: ` +
      `${describe(outcome.offeredAgain)}; duplicate comments: ${outcome.duplicates} of ${TASKS}`,
  );
}
console.log(
  `ratio with / without, first delivery: ${(withLog.first.requests / without.first.requests).toFixed(2)}x requests, ` +
    `${(withLog.first.ms / without.first.ms).toFixed(2)}x time`,
);
