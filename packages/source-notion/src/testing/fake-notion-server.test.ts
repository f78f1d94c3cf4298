import {
  APIErrorCode,
  Client,
  collectPaginatedAPI,
  isFullPage,
  isHTTPResponseError,
  isNotionClientError,
  UnknownHTTPResponseError,
  type QueryDataSourceParameters,
} from '@notionhq/client';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeNotionServer, type FakeNotionServer, type FakeNotionServerOptions } from './index.js';

const servers: FakeNotionServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A fake with a task board, and the real client pointed at it with its own retries off, so each answer is seen as sent. */
async function board(options: FakeNotionServerOptions = {}) {
  const fake = await startFakeNotionServer({ rateLimit: false, ...options });
  servers.push(fake);
  const ids = fake.workspace.createDatabase({
    title: 'Tasks',
    properties: {
      Name: { type: 'title' },
      Status: { type: 'status', options: ['Not started', 'In Progress', 'Done'] },
      Tags: { type: 'multi_select', options: ['backend', 'docs'] },
      Notes: { type: 'rich_text' },
      Agent: { type: 'select', options: [] },
    },
  });
  const client = new Client({ auth: fake.token, baseUrl: fake.url, retry: false, logLevel: undefined, logger: () => {} });
  /** The ids of the pages a query answers, in order. */
  const queryIds = async (params: Omit<QueryDataSourceParameters, 'data_source_id'> = {}) =>
    (await client.dataSources.query({ data_source_id: ids.dataSourceId, ...params })).results.map((page) => page.id);
  return { fake, client, queryIds, ...ids };
}

async function notionError(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isNotionClientError(error)) throw new Error(`expected a Notion client error, got ${String(error)}`);
  return error;
}

describe('the fake Notion API, driven by the real client', () => {
  it('lists the data sources of a database', async () => {
    const { client, databaseId, dataSourceId } = await board();
    const database = await client.databases.retrieve({ database_id: databaseId });
    expect('data_sources' in database && database.data_sources.map((source) => source.id)).toEqual([dataSourceId]);
  });

  it('answers a data source with its property schema and status options', async () => {
    const { client, dataSourceId } = await board();
    const dataSource = await client.dataSources.retrieve({ data_source_id: dataSourceId });
    const status = 'properties' in dataSource ? dataSource.properties['Status'] : undefined;
    expect(status?.type === 'status' && status.status.options.map((option) => option.name)).toEqual([
      'Not started',
      'In Progress',
      'Done',
    ]);
  });

  it('accepts ids without dashes, as Notion does', async () => {
    const { client, databaseId } = await board();
    const database = await client.databases.retrieve({ database_id: databaseId.replaceAll('-', '') });
    expect(database.id).toBe(databaseId);
  });

  it('filters a query on last_edited_time and a status, combined with and', async () => {
    let now = new Date('2026-11-24T10:00:30Z');
    const { fake, queryIds, dataSourceId } = await board({ now: () => now });
    fake.workspace.createPage(dataSourceId, { Name: 'old', Status: 'Not started' });
    now = new Date('2026-11-24T10:05:10Z');
    const fresh = fake.workspace.createPage(dataSourceId, { Name: 'fresh', Status: 'Not started' });
    fake.workspace.createPage(dataSourceId, { Name: 'fresh but done', Status: 'Done' });
    const ids = await queryIds({
      filter: {
        and: [
          { timestamp: 'last_edited_time', last_edited_time: { on_or_after: '2026-11-24T10:05:00.000Z' } },
          { property: 'Status', status: { equals: 'Not started' } },
        ],
      },
    });
    expect(ids).toEqual([fresh]);
  });

  it('combines status conditions with or', async () => {
    const { fake, queryIds, dataSourceId } = await board();
    const a = fake.workspace.createPage(dataSourceId, { Name: 'a', Status: 'Not started' });
    const b = fake.workspace.createPage(dataSourceId, { Name: 'b', Status: 'In Progress' });
    fake.workspace.createPage(dataSourceId, { Name: 'c', Status: 'Done' });
    const ids = await queryIds({
      filter: {
        or: [
          { property: 'Status', status: { equals: 'Not started' } },
          { property: 'Status', status: { equals: 'In Progress' } },
        ],
      },
    });
    expect(ids.sort()).toEqual([a, b].sort());
  });

  it('filters on title text and multi-select options', async () => {
    const { fake, queryIds, dataSourceId } = await board();
    const wanted = fake.workspace.createPage(dataSourceId, { Name: 'Fix the login bug', Tags: ['backend'] });
    fake.workspace.createPage(dataSourceId, { Name: 'Fix the docs', Tags: ['docs'] });
    const ids = await queryIds({
      filter: {
        and: [
          { property: 'Name', title: { contains: 'fix' } },
          { property: 'Tags', multi_select: { contains: 'backend' } },
        ],
      },
    });
    expect(ids).toEqual([wanted]);
  });

  it('sorts by last_edited_time ascending', async () => {
    let now = new Date('2026-11-24T10:00:00Z');
    const { fake, queryIds, dataSourceId } = await board({ now: () => now });
    const first = fake.workspace.createPage(dataSourceId, { Name: 'first' });
    now = new Date('2026-11-24T10:01:00Z');
    const second = fake.workspace.createPage(dataSourceId, { Name: 'second' });
    now = new Date('2026-11-24T10:02:00Z');
    fake.workspace.editPage(first, { Notes: 'edited last' });
    const ids = await queryIds({
      sorts: [{ timestamp: 'last_edited_time', direction: 'ascending' }],
    });
    expect(ids).toEqual([second, first]);
  });

  it('pages a large result with page_size, has_more and next_cursor', async () => {
    const { fake, client, dataSourceId } = await board();
    for (let i = 0; i < 250; i += 1) fake.workspace.createPage(dataSourceId, { Name: `task ${i}` });
    const all = await collectPaginatedAPI(client.dataSources.query, { data_source_id: dataSourceId, page_size: 100 });
    expect({
      pages: all.length,
      distinct: new Set(all.map((page) => page.id)).size,
      queries: fake.count('dataSources.query'),
    }).toEqual({
      pages: 250,
      distinct: 250,
      queries: 3,
    });
  });

  it('refuses a page_size above 100 with a validation_error', async () => {
    const { client, dataSourceId } = await board();
    const error = await notionError(client.dataSources.query({ data_source_id: dataSourceId, page_size: 101 }));
    expect(error.code).toBe(APIErrorCode.ValidationError);
  });

  it('leaves trashed pages out of query results', async () => {
    const { fake, queryIds, dataSourceId } = await board();
    const kept = fake.workspace.createPage(dataSourceId, { Name: 'kept' });
    fake.workspace.trashPage(fake.workspace.createPage(dataSourceId, { Name: 'trashed' }));
    expect(await queryIds()).toEqual([kept]);
  });

  it('updates a status, rounds last_edited_time down to the minute and records the bot as last editor', async () => {
    let now = new Date('2026-11-24T10:00:00Z');
    const { fake, client, dataSourceId } = await board({ now: () => now });
    const pageId = fake.workspace.createPage(dataSourceId, { Name: 'task', Status: 'Not started' });
    now = new Date('2026-11-24T10:03:59.900Z');
    await client.pages.update({ page_id: pageId, properties: { Status: { status: { name: 'In Progress' } } } });
    const page = await client.pages.retrieve({ page_id: pageId });
    const status = isFullPage(page) ? page.properties['Status'] : undefined;
    expect({
      status: status?.type === 'status' ? status.status?.name : undefined,
      lastEditedTime: isFullPage(page) ? page.last_edited_time : undefined,
      lastEditedBy: isFullPage(page) ? page.last_edited_by.id : undefined,
    }).toEqual({ status: 'In Progress', lastEditedTime: '2026-11-24T10:03:00.000Z', lastEditedBy: fake.workspace.bot.id });
  });

  it('refuses an unknown status option with a validation_error and leaves the page unchanged', async () => {
    const { fake, client, dataSourceId } = await board();
    const pageId = fake.workspace.createPage(dataSourceId, { Name: 'task', Status: 'Not started' });
    const error = await notionError(
      client.pages.update({ page_id: pageId, properties: { Status: { status: { name: 'Blocked' } } } }),
    );
    const status = fake.workspace.page(pageId).properties['Status'];
    expect({
      code: error.code,
      message: error.message,
      status: status?.type === 'status' ? status.status?.name : undefined,
    }).toEqual({
      code: APIErrorCode.ValidationError,
      message: 'Invalid status option. Status option "Blocked" does not exist.',
      status: 'Not started',
    });
  });

  it('refuses to update a trashed page with a validation_error mentioning archived', async () => {
    const { fake, client, dataSourceId } = await board();
    const pageId = fake.workspace.createPage(dataSourceId, { Name: 'task', Status: 'Not started' });
    fake.workspace.trashPage(pageId);
    const error = await notionError(
      client.pages.update({ page_id: pageId, properties: { Status: { status: { name: 'Done' } } } }),
    );
    expect([error.code, error.message]).toEqual([APIErrorCode.ValidationError, expect.stringContaining('archived')]);
  });

  it('adds a select option the integration writes that the property does not have yet, as Notion does', async () => {
    const { fake, client, dataSourceId } = await board();
    const pageId = fake.workspace.createPage(dataSourceId, { Name: 'task', Status: 'Not started' });
    await client.pages.update({ page_id: pageId, properties: { Agent: { select: { name: 'Temüjin' } } } });
    const agent = fake.workspace.page(pageId).properties['Agent'];
    const schema = (await client.dataSources.retrieve({ data_source_id: dataSourceId })).properties['Agent'];
    expect(agent?.type === 'select' ? agent.select?.name : undefined).toBe('Temüjin');
    expect(schema?.type === 'select' ? schema.select.options.map((option) => option.name) : []).toEqual(['Temüjin']);
  });

  it('refuses a select option with a comma with a validation_error, as Notion does', async () => {
    const { fake, client, dataSourceId } = await board();
    const pageId = fake.workspace.createPage(dataSourceId, { Name: 'task', Status: 'Not started' });
    const error = await notionError(client.pages.update({ page_id: pageId, properties: { Agent: { select: { name: 'Smith, J' } } } }));
    expect([error.code, error.message]).toEqual([APIErrorCode.ValidationError, 'Invalid select option, commas not allowed: Smith, J']);
  });

  it('refuses a property the data source does not have', async () => {
    const { fake, client, dataSourceId } = await board();
    const pageId = fake.workspace.createPage(dataSourceId, { Name: 'task' });
    const error = await notionError(client.pages.update({ page_id: pageId, properties: { Owner: { select: { name: 'x' } } } }));
    expect(error.message).toBe('Owner is not a property that exists.');
  });

  it('answers object_not_found for a page it does not have', async () => {
    const { client } = await board();
    const error = await notionError(client.pages.retrieve({ page_id: '00000000-0000-4000-8000-000000000000' }));
    expect(error.code).toBe(APIErrorCode.ObjectNotFound);
  });

  it('stores a comment on a page', async () => {
    const { fake, client, dataSourceId } = await board();
    const pageId = fake.workspace.createPage(dataSourceId, { Name: 'task' });
    await client.comments.create({
      parent: { page_id: pageId },
      rich_text: [{ text: { content: 'Done 🎉 ' } }, { text: { content: 'by Möngke' } }],
    });
    expect(fake.workspace.commentsOn(pageId)).toEqual(['Done 🎉 by Möngke']);
  });

  it("lists a page's comments oldest first, page_size at a time, with has_more and next_cursor", async () => {
    const { fake, client, dataSourceId } = await board();
    const pageId = fake.workspace.createPage(dataSourceId, { Name: 'task' });
    for (const text of ['first', 'second', 'third']) fake.workspace.commentAsPerson(pageId, text);
    await client.comments.create({ parent: { page_id: pageId }, rich_text: [{ text: { content: 'by the bot' } }] });
    const first = await client.comments.list({ block_id: pageId, page_size: 3 });
    const rest = await client.comments.list({ block_id: pageId, page_size: 3, start_cursor: first.next_cursor ?? '' });
    const texts = (page: typeof first) => page.results.map((comment) => comment.rich_text.map((item) => item.plain_text).join(''));
    expect([texts(first), first.has_more, texts(rest), rest.has_more, rest.next_cursor]).toEqual([
      ['first', 'second', 'third'],
      true,
      ['by the bot'],
      false,
      null,
    ]);
  });

  it('leaves resolved comments out of the listing, as Notion does, while they stay on the page', async () => {
    const { fake, client, dataSourceId } = await board();
    const pageId = fake.workspace.createPage(dataSourceId, { Name: 'task' });
    fake.workspace.commentAsPerson(pageId, 'resolved later');
    fake.workspace.resolveDiscussions(pageId);
    fake.workspace.commentAsPerson(pageId, 'still open');
    const listed = await client.comments.list({ block_id: pageId });
    expect({
      listed: listed.results.map((comment) => comment.rich_text.map((item) => item.plain_text).join('')),
      onPage: fake.workspace.commentsOn(pageId),
    }).toEqual({ listed: ['still open'], onPage: ['resolved later', 'still open'] });
  });

  it('answers object_not_found when listing the comments of a page it does not have', async () => {
    const { client } = await board();
    const error = await notionError(client.comments.list({ block_id: '00000000-0000-4000-8000-000000000000' }));
    expect(error.code).toBe(APIErrorCode.ObjectNotFound);
  });

  it('refuses to list comments with 403 restricted_resource when the integration may not read them', async () => {
    const { fake, client, dataSourceId } = await board({ readComments: false });
    const pageId = fake.workspace.createPage(dataSourceId, { Name: 'task' });
    const error = await notionError(client.comments.list({ block_id: pageId }));
    expect([error.code, isHTTPResponseError(error) && error.status]).toEqual([APIErrorCode.RestrictedResource, 403]);
  });

  it('refuses a comments listing without block_id', async () => {
    const { fake } = await board();
    const response = await fetch(`${fake.url}/v1/comments`, { headers: { authorization: `Bearer ${fake.token}`, 'notion-version': '2025-09-03' } });
    expect([response.status, ((await response.json()) as { message: string }).message]).toEqual([400, 'query.block_id should be defined, instead was `undefined`.']);
  });

  it('refuses a comment text object longer than 2000 characters', async () => {
    const { fake, client, dataSourceId } = await board();
    const pageId = fake.workspace.createPage(dataSourceId, { Name: 'task' });
    const error = await notionError(
      client.comments.create({ parent: { page_id: pageId }, rich_text: [{ text: { content: 'x'.repeat(2001) } }] }),
    );
    expect(error.message).toBe('body.rich_text[0].text.content.length should be ≤ `2000`, instead was `2001`.');
  });

  it('refuses a comment of more than 100 text objects', async () => {
    const { fake, client, dataSourceId } = await board();
    const pageId = fake.workspace.createPage(dataSourceId, { Name: 'task' });
    const richText = Array.from({ length: 101 }, () => ({ text: { content: 'x' } }));
    const error = await notionError(client.comments.create({ parent: { page_id: pageId }, rich_text: richText }));
    expect(error.message).toBe('body.rich_text.length should be ≤ `100`, instead was `101`.');
  });

  it('answers users.me with the integration bot', async () => {
    const { fake, client } = await board();
    const me = await client.users.me({});
    expect([me.id, me.type]).toEqual([fake.workspace.bot.id, 'bot']);
  });

  it('refuses a wrong token with unauthorized', async () => {
    const { fake } = await board();
    const stranger = new Client({ auth: 'ntn_wrong', baseUrl: fake.url, retry: false, logger: () => {} });
    const error = await notionError(stranger.users.me({}));
    expect(error.code).toBe(APIErrorCode.Unauthorized);
  });

  it('refuses a request without a Notion-Version header', async () => {
    const { fake } = await board();
    const answer = await fetch(`${fake.url}/v1/users/me`, { headers: { authorization: `Bearer ${fake.token}` } });
    expect([answer.status, ((await answer.json()) as { code: string }).code]).toEqual([400, 'missing_version']);
  });

  it('answers an injected 429 with its Retry-After header', async () => {
    const { fake, client } = await board();
    fake.inject({ type: 'rate_limited', retryAfterSeconds: 7 }, { endpoint: 'users.me' });
    const error = await notionError(client.users.me({}));
    expect([
      error.code,
      isHTTPResponseError(error) && error.headers instanceof Headers ? error.headers.get('retry-after') : undefined,
    ]).toEqual([APIErrorCode.RateLimited, '7']);
  });

  it('answers an injected 502 with an HTML page, as the load balancer does', async () => {
    const { fake, client } = await board();
    fake.inject({ type: 'server_error', status: 502 });
    const error = await notionError(client.users.me({}));
    expect(error instanceof UnknownHTTPResponseError && error.status).toBe(502);
  });

  it('answers injected 500 and 503 with Notion error codes, only as often as programmed', async () => {
    const { fake, client } = await board();
    fake.inject({ type: 'server_error', status: 500 }, { endpoint: 'users.me' });
    fake.inject({ type: 'server_error', status: 503 }, { endpoint: 'users.me' });
    const codes = [(await notionError(client.users.me({}))).code, (await notionError(client.users.me({}))).code];
    const me = await client.users.me({});
    expect([...codes, me.id]).toEqual([APIErrorCode.InternalServerError, APIErrorCode.ServiceUnavailable, fake.workspace.bot.id]);
  });

  it('answers an injected 409 with conflict_error on the targeted endpoint only', async () => {
    const { fake, client, dataSourceId } = await board();
    const pageId = fake.workspace.createPage(dataSourceId, { Name: 'task', Status: 'Not started' });
    fake.inject({ type: 'conflict' }, { endpoint: 'pages.update' });
    await client.pages.retrieve({ page_id: pageId });
    const error = await notionError(
      client.pages.update({ page_id: pageId, properties: { Status: { status: { name: 'Done' } } } }),
    );
    expect(error.code).toBe(APIErrorCode.ConflictError);
  });

  it('answers slowly when told to, so a client with a shorter timeout gives up', async () => {
    const { fake } = await board();
    const impatient = new Client({ auth: fake.token, baseUrl: fake.url, retry: false, timeoutMs: 50, logger: () => {} });
    fake.inject({ type: 'slow', delayMs: 400 });
    const error = await notionError(impatient.users.me({}));
    expect(error.code).toBe('notionhq_client_request_timeout');
  });

  it('throttles with 429 and a Retry-After once the burst is spent', async () => {
    const { fake, client } = await board({ rateLimit: { requestsPerSecond: 3, burst: 4 } });
    const answers = await Promise.allSettled(Array.from({ length: 6 }, () => client.users.me({})));
    const refused = answers.filter((answer) => answer.status === 'rejected');
    expect({ refused: refused.length, throttled: fake.throttled, retryAfter: fake.requests.at(-1)?.error }).toEqual({
      refused: 2,
      throttled: 2,
      retryAfter: 'throttled',
    });
  });

  it('logs each request with its endpoint and answer', async () => {
    const { fake, client, databaseId } = await board();
    await client.databases.retrieve({ database_id: databaseId });
    await notionError(client.pages.retrieve({ page_id: '00000000-0000-4000-8000-000000000000' }));
    expect(fake.requests.map(({ endpoint, status, error }) => ({ endpoint, status, error }))).toEqual([
      { endpoint: 'databases.retrieve', status: 200 },
      { endpoint: 'pages.retrieve', status: 404, error: 'object_not_found' },
    ]);
  });
});
