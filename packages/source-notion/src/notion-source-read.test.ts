import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { boardFixture, lastCursor, oneTaskBoard, readAll, tasksOf, type BoardFixture } from './notion-source.fixture.js';

describe('reading tasks from a Notion database', () => {
  it('delivers a page in a "new" status as a task with its title, description, priority, tags and url', async () => {
    const board = await boardFixture();
    const pageId = board.addTask('Fix the login bug', {
      Description: 'It fails on Safari',
      Priority: 'Urgent',
      Tags: ['backend', 'frontend'],
    });
    const source = await board.source();
    const [task] = tasksOf(await readAll(source));
    expect(task).toEqual({
      id: pageId,
      title: 'Fix the login bug',
      description: 'It fails on Safari',
      priority: 'critical',
      tags: ['backend', 'frontend'],
      source: 'notion',
      properties: expect.objectContaining({
        status: 'Not started',
        priority: 'Urgent',
        url: expect.stringContaining(pageId.replaceAll('-', '')),
      }),
    });
  });

  it('leaves pages in other statuses unread', async () => {
    const board = await boardFixture();
    const fresh = board.addTask('new one');
    board.addTask('already running', { Status: 'In Progress' });
    board.addTask('finished', { Status: 'Done' });
    const source = await board.source();
    expect(tasksOf(await readAll(source)).map((task) => task.id)).toEqual([fresh]);
  });

  it('reads every configured "new" status', async () => {
    const board = await boardFixture();
    const a = board.addTask('a');
    const b = board.addTask('b', { Status: 'Blocked' });
    const source = await board.source({ statuses: { new: ['Not started', 'Blocked'], blocked: 'Done' } });
    expect(
      tasksOf(await readAll(source))
        .map((task) => task.id)
        .sort(),
    ).toEqual([a, b].sort());
  });

  it('pages through a database larger than one query answer', async () => {
    const board = await boardFixture();
    for (let i = 0; i < 250; i += 1) board.addTask(`task ${i}`);
    const source = await board.source();
    board.fake.clearRequests();
    const batches = await readAll(source);
    expect({
      tasks: new Set(tasksOf(batches).map((task) => task.id)).size,
      batches: batches.length,
      queries: board.fake.count('dataSources.query'),
    }).toEqual({
      tasks: 250,
      batches: 3,
      queries: 3,
    });
  });

  it('reads on from the newest page read when Notion refuses a paging cursor, delivering nothing twice', async () => {
    let now = Date.parse('2026-11-24T08:00:00Z');
    const board = await boardFixture({ now: () => new Date(now) });
    const pageIds = Array.from({ length: 150 }, (_, i) => {
      now += 60_000;
      return board.addTask(`task ${i}`);
    });
    const source = await board.source();
    const batches = source
      .read({ cursor: undefined, follow: false, signal: new AbortController().signal })
      [Symbol.asyncIterator]();
    const delivered = [...((await batches.next()).value?.tasks ?? [])];
    // The next page the cursor points at leaves the filter while the source is between two pages of results.
    board.fake.workspace.editPage(pageIds[100] ?? '', { Status: 'Done' });
    for (let next = await batches.next(); next.done !== true; next = await batches.next()) delivered.push(...next.value.tasks);
    const ids = delivered.map((task) => task.id);
    const restarted = board.lines.some((line) => line.message.includes('refused the paging cursor'));
    expect({ delivered: ids.length, distinct: new Set(ids).size, moved: ids.includes(pageIds[100] ?? ''), restarted }).toEqual({
      delivered: 149,
      distinct: 149,
      moved: false,
      restarted: true,
    });
  });

  it('spends one request on a poll that finds nothing new', async () => {
    const board = await boardFixture();
    for (let i = 0; i < 5; i += 1) board.addTask(`task ${i}`);
    const source = await board.source();
    const cursor = lastCursor(await readAll(source));
    board.fake.clearRequests();
    const idle = await readAll(source, cursor);
    expect({ tasks: tasksOf(idle).length, requests: board.fake.count() }).toEqual({ tasks: 0, requests: 1 });
  });

  it('resumes from the stored cursor after a restart without delivering anything twice', async () => {
    const board = await boardFixture();
    board.addTask('before the restart');
    const first = await board.source();
    const cursor = lastCursor(await readAll(first));
    await first.close();
    board.addTask('after the restart');
    const second = await board.source();
    expect(tasksOf(await readAll(second, cursor)).map((task) => task.title)).toEqual(['after the restart']);
  });

  it('catches a page edited later in the minute the last poll already read, though Notion shows both at the same minute', async () => {
    let now = new Date('2026-11-24T10:00:10Z');
    const board = await boardFixture({ now: () => now });
    board.addTask('early in the minute');
    const source = await board.source();
    const cursor = lastCursor(await readAll(source));
    now = new Date('2026-11-24T10:00:50Z');
    board.addTask('late in the minute');
    expect(tasksOf(await readAll(source, cursor)).map((task) => task.title)).toEqual(['late in the minute']);
  });

  it('delivers a page again once a person edits it, and not before', async () => {
    let now = new Date('2026-11-24T10:00:00Z');
    const board = await boardFixture({ now: () => now });
    const pageId = board.addTask('draft title');
    const source = await board.source();
    const cursor = lastCursor(await readAll(source));
    expect(tasksOf(await readAll(source, cursor))).toEqual([]);
    now = new Date('2026-11-24T10:03:00Z');
    board.fake.workspace.editPage(pageId, { Name: 'final title' });
    expect(tasksOf(await readAll(source, cursor)).map((task) => task.title)).toEqual(['final title']);
  });

  it('never reads a task again because of Kurultai’s own write-back', async () => {
    const { board, pageId, source } = await oneTaskBoard();
    const cursor = lastCursor(await readAll(source));
    await source.writeBack({ kind: 'in_progress', taskId: pageId, agent: 'mongke', attempt: 1 });
    expect(tasksOf(await readAll(source, cursor))).toEqual([]);
  });

  it('does not read a page Kurultai edited last, even when it is left in a "new" status', async () => {
    const { board, pageId, source } = await oneTaskBoard();
    const cursor = lastCursor(await readAll(source));
    await fetch(`${board.fake.url}/v1/pages/${pageId}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${board.fake.token}`,
        'notion-version': '2025-09-03',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ properties: { Name: { title: [{ text: { content: 'renamed by the bot' } }] } } }),
    });
    expect(tasksOf(await readAll(source, cursor))).toEqual([]);
  });

  it('delivers a task again when a person moves it back to a "new" status', async () => {
    let now = new Date('2026-11-24T10:00:00Z');
    const { board, pageId, source } = await oneTaskBoard({}, { now: () => now });
    const cursor = lastCursor(await readAll(source));
    await source.writeBack({ kind: 'failed', taskId: pageId, agent: 'mongke', error: 'no access' });
    now = new Date('2026-11-24T10:05:00Z');
    board.fake.workspace.editPage(pageId, { Status: 'Not started' });
    expect(tasksOf(await readAll(source, cursor)).map((task) => task.id)).toEqual([pageId]);
  });

  it('skips a page with an empty title, with a warning naming the page', async () => {
    const board = await boardFixture();
    const pageId = board.addTask('   ');
    const source = await board.source();
    const tasks = tasksOf(await readAll(source));
    expect({ tasks, warning: board.lines.find((line) => line.level === 'warn')?.fields }).toEqual({
      tasks: [],
      warning: { taskId: pageId, reason: 'the title is empty' },
    });
  });

  it('routes a page with an empty title as "(untitled)" when configured to', async () => {
    const board = await boardFixture();
    board.addTask('');
    const source = await board.source({ emptyTitle: 'untitled' });
    expect(tasksOf(await readAll(source)).map((task) => task.title)).toEqual(['(untitled)']);
  });

  it('passes emoji and very long text through whole', async () => {
    const board = await boardFixture();
    const description = '🚀 launch notes '.repeat(2000);
    board.addTask('Ship it 🚢 — Möngke’s task', { Description: description });
    const source = await board.source();
    const [task] = tasksOf(await readAll(source));
    expect({ title: task?.title, description: task?.description }).toEqual({
      title: 'Ship it 🚢 — Möngke’s task',
      description: description.trim(),
    });
  });

  it('leaves a priority it has no mapping for unset', async () => {
    const board = await boardFixture();
    board.addTask('task', { Priority: 'Medium' });
    const source = await board.source({ priorities: { Urgent: 'critical' } });
    expect(tasksOf(await readAll(source))[0]?.priority).toBeUndefined();
  });

  it('does not deliver a page moved to the trash', async () => {
    const board = await boardFixture();
    const kept = board.addTask('kept');
    board.fake.workspace.trashPage(board.addTask('trashed'));
    const source = await board.source();
    expect(tasksOf(await readAll(source)).map((task) => task.id)).toEqual([kept]);
  });

  it('starts over, with a warning, from a cursor it cannot read', async () => {
    const board = await boardFixture();
    board.addTask('task');
    const source = await board.source();
    const tasks = tasksOf(await readAll(source, '{not json'));
    expect({
      tasks: tasks.length,
      warned: board.lines.some((line) => line.level === 'warn' && line.message.includes('cursor')),
    }).toEqual({
      tasks: 1,
      warned: true,
    });
  });

  it('retries a query answered with a 500, which the client itself does not retry', async () => {
    const board = await boardFixture();
    board.addTask('task');
    const source = await board.source();
    board.fake.inject({ type: 'server_error', status: 500 }, { endpoint: 'dataSources.query' });
    board.fake.inject({ type: 'server_error', status: 502 }, { endpoint: 'dataSources.query' });
    board.fake.inject({ type: 'server_error', status: 503 }, { endpoint: 'dataSources.query' });
    expect({ tasks: tasksOf(await readAll(source)).length, retried: source.stats.retried }).toEqual({ tasks: 1, retried: 3 });
  });
});

describe('following a Notion database', () => {
  it('delivers a page added while following at the next poll, and stops when aborted', async () => {
    const board = await boardFixture();
    const source = await board.source({ pollIntervalMs: 50 });
    const controller = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const batch of source.read({ cursor: undefined, follow: true, signal: controller.signal })) {
        seen.push(...batch.tasks.map((task) => task.title));
        if (seen.includes('added later')) controller.abort();
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 120));
    board.addTask('added later');
    await following;
    expect(seen).toEqual(['added later']);
  });

  it('keeps following after a poll that failed past its retries, and delivers at the next poll', async () => {
    const board = await boardFixture();
    const source = await board.source({ pollIntervalMs: 50, maxAttempts: 2 });
    board.addTask('waiting out an outage');
    board.fake.inject({ type: 'server_error', status: 503 }, { endpoint: 'dataSources.query', times: 2 });
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const batch of source.read({ cursor: undefined, follow: true, signal: controller.signal })) {
      seen.push(...batch.tasks.map((task) => task.title));
      if (seen.length > 0) controller.abort();
    }
    const warned = board.lines.some((line) => line.message.startsWith('a Notion poll failed'));
    expect({ seen, warned }).toEqual({ seen: ['waiting out an outage'], warned: true });
  });

  it('polls at once on a webhook delivery with a valid signature', async () => {
    const board = await boardFixture();
    const verificationToken = 'secret_webhook_token';
    const source = await createSourceWithWebhook(board, verificationToken);
    const controller = new AbortController();
    const iterator = source.read({ cursor: undefined, follow: true, signal: controller.signal })[Symbol.asyncIterator]();
    await iterator.next();
    board.addTask('announced by a webhook');
    const body = JSON.stringify({ id: 'evt', type: 'page.created', entity: { id: 'x', type: 'page' } });
    const signature = `sha256=${createHmac('sha256', verificationToken).update(body).digest('hex')}`;
    const answer = await fetch(source.webhookUrl ?? '', { method: 'POST', body, headers: { 'x-notion-signature': signature } });
    const next = await iterator.next();
    controller.abort();
    expect({ status: answer.status, titles: next.done === true ? [] : next.value.tasks.map((task) => task.title) }).toEqual({
      status: 200,
      titles: ['announced by a webhook'],
    });
  });

  it('refuses a webhook delivery with a wrong signature and does not poll', async () => {
    const board = await boardFixture();
    const source = await createSourceWithWebhook(board, 'secret_webhook_token');
    board.fake.clearRequests();
    const body = JSON.stringify({ type: 'page.created' });
    const signature = `sha256=${createHmac('sha256', 'another token').update(body).digest('hex')}`;
    const answer = await fetch(source.webhookUrl ?? '', { method: 'POST', body, headers: { 'x-notion-signature': signature } });
    expect({ status: answer.status, requests: board.fake.count() }).toEqual({ status: 401, requests: 0 });
  });
});

describe('the webhook endpoint', () => {
  it('answers Notion’s verification request without writing its token to the log', async () => {
    const board = await boardFixture();
    const source = await createSourceWithWebhook(board, 'secret_webhook_token');
    const handshake = 'secret_handshake_token_987';
    const answer = await fetch(source.webhookUrl ?? '', {
      method: 'POST',
      body: JSON.stringify({ verification_token: handshake }),
    });
    expect({ status: answer.status, leaked: JSON.stringify(board.lines).includes(handshake) }).toEqual({
      status: 200,
      leaked: false,
    });
  });
});

function createSourceWithWebhook(board: BoardFixture, verificationToken: string) {
  return board.source({ pollIntervalMs: 3_600_000, webhook: { port: 0 } }, { NOTION_WEBHOOK_TOKEN: verificationToken });
}
