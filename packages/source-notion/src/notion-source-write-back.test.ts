import { KurultaiError } from '@kurultai/core';
import { describe, expect, it } from 'vitest';
import { COMMENT_TEXT_LIMIT } from './comment-text.js';
import { boardFixture, oneTaskBoard, readAll } from './notion-source.fixture.js';

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the promise to reject');
    },
    (error: unknown) => error,
  );
}

describe('writing statuses and answers back to Notion', () => {
  it('sets the status to "In Progress" when an agent starts', async () => {
    const { board, pageId, source } = await oneTaskBoard();
    await source.writeBack({ kind: 'in_progress', taskId: pageId, agent: 'mongke', attempt: 1 });
    expect([board.statusOf(pageId), board.fake.workspace.commentsOn(pageId)]).toEqual(['In Progress', []]);
  });

  it.each([
    {
      update: { kind: 'completed', agent: 'Möngke', output: 'Fixed in #42 🎉' },
      status: 'Done',
      comment: 'Kurultai: Möngke completed this task.\n\nFixed in #42 🎉',
    },
    {
      update: { kind: 'failed', agent: 'Temüjin', error: 'the agent timed out after 600 s' },
      status: 'Blocked',
      comment: 'Kurultai: Temüjin could not complete this task.\n\nError: the agent timed out after 600 s',
    },
  ] as const)(
    'sets "$status" and comments with the answer or the error when a task is $update.kind',
    async ({ update, status, comment }) => {
      const { board, pageId, source } = await oneTaskBoard();
      await source.writeBack({ ...update, taskId: pageId });
      expect([board.statusOf(pageId), board.fake.workspace.commentsOn(pageId)]).toEqual([status, [comment]]);
    },
  );

  it('writes the status names the config gives, and no comment when comments are off', async () => {
    const { board, pageId, source } = await oneTaskBoard({
      statuses: { done: 'Blocked', blocked: 'Done' },
      comments: { onCompleted: false },
    });
    await source.writeBack({ kind: 'completed', taskId: pageId, agent: 'mongke', output: 'ok' });
    expect([board.statusOf(pageId), board.fake.workspace.commentsOn(pageId)]).toEqual(['Blocked', []]);
  });

  it('cuts a very long answer to Notion’s limits and says how much was cut', async () => {
    const { board, pageId, source } = await oneTaskBoard();
    const output = '🙂'.repeat(150_000);
    await source.writeBack({ kind: 'completed', taskId: pageId, agent: 'mongke', output });
    const [comment = ''] = board.fake.workspace.commentsOn(pageId);
    expect({
      fits: comment.length <= COMMENT_TEXT_LIMIT,
      notice: /\[… \d+ characters cut/.test(comment),
      whole: !comment.includes('\uFFFD'),
    }).toEqual({
      fits: true,
      notice: true,
      whole: true,
    });
  });

  it('changes the status once and comments once when the same write-back comes twice', async () => {
    const { board, pageId, source } = await oneTaskBoard();
    const update = { kind: 'completed', taskId: pageId, agent: 'mongke', output: 'done' } as const;
    await Promise.all([source.writeBack(update), source.writeBack(update)]);
    await source.writeBack(update);
    expect({ updates: board.fake.count('pages.update'), comments: board.fake.workspace.commentsOn(pageId).length }).toEqual({
      updates: 1,
      comments: 1,
    });
  });

  it('lands a task’s write-backs in the order they were given', async () => {
    const { board, pageId, source } = await oneTaskBoard();
    await Promise.all([
      source.writeBack({ kind: 'in_progress', taskId: pageId, agent: 'mongke', attempt: 1 }),
      source.writeBack({ kind: 'completed', taskId: pageId, agent: 'mongke', output: 'done' }),
    ]);
    const statuses = board.fake.requests.filter((r) => r.endpoint === 'pages.update').map((r) => JSON.stringify(r.body));
    expect([statuses.length, board.statusOf(pageId)]).toEqual([2, 'Done']);
  });

  it('drops a write-back to a page in the trash with a warning instead of failing forever', async () => {
    const { board, pageId, source } = await oneTaskBoard();
    board.fake.workspace.trashPage(pageId);
    await source.writeBack({ kind: 'completed', taskId: pageId, agent: 'mongke', output: 'done' });
    expect(board.lines.filter((line) => line.level === 'warn').map((line) => line.fields?.['taskId'])).toEqual([pageId]);
  });

  it.each([500, 502, 503] as const)('retries a status update answered with %i until it is done', async (status) => {
    const { board, pageId, source } = await oneTaskBoard();
    board.fake.inject({ type: 'server_error', status }, { endpoint: 'pages.update', times: 2 });
    await source.writeBack({ kind: 'in_progress', taskId: pageId, agent: 'mongke', attempt: 1 });
    expect([board.statusOf(pageId), board.fake.count('pages.update')]).toEqual(['In Progress', 3]);
  });

  it('retries a comment answered with a 502 and posts it once', async () => {
    const { board, pageId, source } = await oneTaskBoard();
    board.fake.inject({ type: 'server_error', status: 502 }, { endpoint: 'comments.create' });
    await source.writeBack({ kind: 'completed', taskId: pageId, agent: 'mongke', output: 'done' });
    expect(board.fake.workspace.commentsOn(pageId)).toHaveLength(1);
  });

  it('retries a status update answered with a 409 conflict', async () => {
    const { board, pageId, source } = await oneTaskBoard();
    board.fake.inject({ type: 'conflict' }, { endpoint: 'pages.update' });
    await source.writeBack({ kind: 'in_progress', taskId: pageId, agent: 'mongke', attempt: 1 });
    expect(board.statusOf(pageId)).toBe('In Progress');
  });

  it('retries a request whose answer is slower than the request timeout', async () => {
    const { board, pageId, source } = await oneTaskBoard({ requestTimeoutMs: 100 });
    board.fake.inject({ type: 'slow', delayMs: 400 }, { endpoint: 'pages.update' });
    await source.writeBack({ kind: 'in_progress', taskId: pageId, agent: 'mongke', attempt: 1 });
    expect([board.statusOf(pageId), source.stats.retried]).toEqual(['In Progress', 1]);
  });

  it('waits out Retry-After however often Notion repeats it, past the client’s own two retries', async () => {
    const { board, pageId, source } = await oneTaskBoard();
    board.fake.inject({ type: 'rate_limited', retryAfterSeconds: 1 }, { endpoint: 'pages.update', times: 3 });
    await source.writeBack({ kind: 'in_progress', taskId: pageId, agent: 'mongke', attempt: 1 });
    const times = board.fake.requests.filter((r) => r.endpoint === 'pages.update').map((r) => r.at);
    const gaps = times.slice(1).map((at, i) => at - (times[i] ?? 0));
    expect({ status: board.statusOf(pageId), attempts: times.length, waitedEachTime: gaps.every((gap) => gap >= 990) }).toEqual({
      status: 'In Progress',
      attempts: 4,
      waitedEachTime: true,
    });
  });

  it('rejects a write-back Notion keeps refusing, naming the task and plugin, and resumes it without a second comment when offered again', async () => {
    const { board, pageId, source } = await oneTaskBoard({ maxAttempts: 2 });
    board.fake.inject({ type: 'server_error', status: 503 }, { endpoint: 'comments.create', times: 2 });
    const update = { kind: 'completed', taskId: pageId, agent: 'mongke', output: 'done' } as const;
    const error = await failure(source.writeBack(update));
    await source.writeBack(update);
    expect({
      code: error instanceof KurultaiError ? error.code : undefined,
      place: error instanceof KurultaiError ? error.toString() : undefined,
      updates: board.fake.count('pages.update'),
      comments: board.fake.workspace.commentsOn(pageId),
    }).toEqual({
      code: 'notion_write_back_failed',
      place: expect.stringMatching(new RegExp(`^task ${pageId} plugin notion: Notion did not accept the completed write-back`)),
      updates: 1,
      comments: ['Kurultai: mongke completed this task.\n\ndone'],
    });
  });

  it('rejects a write-back with a status Notion does not know, with Notion’s reason', async () => {
    const { board, pageId, source } = await oneTaskBoard();
    board.fake.workspace.setOptions(board.dataSourceId, 'Status', ['Not started', 'Done', 'Blocked']);
    const error = await failure(source.writeBack({ kind: 'in_progress', taskId: pageId, agent: 'mongke', attempt: 1 }));
    expect(error instanceof KurultaiError && error.message).toContain('Status option "In Progress" does not exist');
  });

  it('rejects a write-back to a page Notion cannot find with Notion’s message about that page', async () => {
    const { source } = await oneTaskBoard();
    const missing = '00000000-0000-4000-8000-000000000000';
    const error = await failure(source.writeBack({ kind: 'in_progress', taskId: missing, agent: 'mongke', attempt: 1 }));
    expect(error instanceof KurultaiError && [error.code, error.place.taskId, error.message]).toEqual([
      'notion_write_back_failed',
      missing,
      expect.stringContaining(`Could not find page with ID: ${missing}`),
    ]);
  });

  it('keeps polling and write-backs together at the configured rate, so Notion never answers 429', async () => {
    const board = await boardFixture({ rateLimit: { requestsPerSecond: 20, burst: 3 } });
    for (let i = 0; i < 300; i += 1) board.addTask(`task ${i}`);
    const source = await board.source({ requestsPerSecond: 20 });
    const pageIds = board.fake.workspace
      .pagesOf(board.dataSourceId)
      .slice(0, 12)
      .map((page) => page.id);
    await Promise.all([
      readAll(source),
      ...pageIds.map((taskId) => source.writeBack({ kind: 'in_progress', taskId, agent: 'mongke', attempt: 1 })),
    ]);
    const times = board.fake.requests.map((r) => r.at);
    const seconds = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000;
    expect({
      throttled: board.fake.throttled,
      rateLimited: source.stats.rateLimited,
      withinRate: (times.length - 1) / seconds <= 20 * 1.1,
    }).toEqual({
      throttled: 0,
      rateLimited: 0,
      withinRate: true,
    });
  });
});
