import { KurultaiError } from '@kurultai/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import notionSourcePlugin from './index.js';
import { createNotionSource } from './notion-source.js';
import { notionSourceOptions } from './notion-source-options.js';
import { boardFixture, readAll, tasksOf } from './notion-source.fixture.js';
import { createTaskBoard, TASK_BOARD_PROPERTIES } from './testing/index.js';

async function startError(promise: Promise<unknown>): Promise<KurultaiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof KurultaiError)) throw new Error(`expected a KurultaiError, got ${String(error)}`);
  return error;
}

describe('starting the Notion source', () => {
  it('refuses to start without a token in the environment, naming the variable', async () => {
    const board = await boardFixture();
    const error = await startError(createNotionSource(board.options({ tokenEnv: 'KURULTAI_NOTION' }), board.context));
    expect([error.code, error.toString()]).toEqual([
      'notion_token_missing',
      "plugin notion: Set $KURULTAI_NOTION to the Notion integration's token",
    ]);
  });

  it('says the token was refused without showing it, in the error or the logs', async () => {
    const board = await boardFixture();
    const token = 'ntn_secret_that_must_not_leak_12345';
    const error = await startError(createNotionSource(board.options(), { ...board.context, env: { NOTION_TOKEN: token } }));
    const everything = JSON.stringify([error.message, String(error.cause), board.lines]);
    expect({ code: error.code, leaked: everything.includes(token) }).toEqual({ code: 'notion_unauthorized', leaked: false });
  });

  it('never writes the token into a log line, even while retrying failures', async () => {
    const board = await boardFixture();
    const pageId = board.addTask('task');
    const source = await board.source({ maxAttempts: 2 });
    board.fake.inject({ type: 'server_error', status: 500 }, { times: 3 });
    board.fake.inject({ type: 'rate_limited', retryAfterSeconds: 0 });
    await source.writeBack({ kind: 'completed', taskId: pageId, agent: 'mongke', output: 'done' }).catch(() => undefined);
    await readAll(source);
    const warnings = board.lines.filter((line) => line.level === 'warn');
    expect({ warned: warnings.length > 0, leaked: JSON.stringify(board.lines).includes(board.fake.token) }).toEqual({
      warned: true,
      leaked: false,
    });
  });

  it('says when the database does not exist or is not shared with the integration', async () => {
    const board = await boardFixture();
    const error = await startError(
      createNotionSource(board.options({ database: '0123456789abcdef0123456789abcdef' }), board.context),
    );
    expect([error.code, error.message]).toEqual([
      'notion_database_not_found',
      expect.stringContaining('share the database with the integration'),
    ]);
  });

  it('names every missing property, wrong type and missing status option at once', async () => {
    const board = await boardFixture();
    const { Priority: _priority, ...withoutPriority } = TASK_BOARD_PROPERTIES;
    const { databaseId } = createTaskBoard(board.fake.workspace, {
      ...withoutPriority,
      Tags: { type: 'rich_text' },
      Status: { type: 'status', options: ['Not started', 'Done'] },
    });
    const error = await startError(createNotionSource(board.options({ database: databaseId }), board.context));
    expect({ code: error.code, problems: error.problems.map((problem) => problem.message) }).toEqual({
      code: 'notion_database_mismatch',
      problems: [
        'properties.priority: the database has no property "Priority" (it has "Name", "Status", "Tags", "Description")',
        'properties.tags: "Tags" is a rich_text property; it must be multi_select or select',
        'statuses.inProgress: "Status" has no option "In Progress" (it has "Not started", "Done")',
        'statuses.blocked: "Status" has no option "Blocked" (it has "Not started", "Done")',
      ],
    });
  });

  it('says which address the webhook endpoint cannot listen on', async () => {
    const board = await boardFixture();
    const first = await board.source({ webhook: { port: 0 } });
    const port = Number(new URL(first.webhookUrl ?? '').port);
    const error = await startError(createNotionSource(board.options({ webhook: { port } }), board.context));
    expect([error.code, error.message]).toEqual(['notion_webhook_unavailable', expect.stringContaining(`127.0.0.1:${port}`)]);
  });

  it('reads and writes a status kept in a select property', async () => {
    const board = await boardFixture();
    const { databaseId, dataSourceId } = createTaskBoard(board.fake.workspace, {
      ...TASK_BOARD_PROPERTIES,
      Status: { type: 'select', options: ['Not started', 'In Progress', 'Done', 'Blocked'] },
    });
    const pageId = board.fake.workspace.createPage(dataSourceId, { Name: 'task', Status: 'Not started' });
    const source = await board.source({ database: databaseId });
    const tasks = tasksOf(await readAll(source));
    await source.writeBack({ kind: 'in_progress', taskId: pageId, agent: 'mongke', attempt: 1 });
    const status = board.fake.workspace.page(pageId).properties['Status'];
    expect([tasks.map((task) => task.id), status?.type === 'select' ? status.select?.name : undefined]).toEqual([
      [pageId],
      'In Progress',
    ]);
  });

  it('accepts the database as a Notion URL', async () => {
    const board = await boardFixture();
    const source = await board.source({
      database: `https://www.notion.so/acme/Tasks-${board.databaseId.replaceAll('-', '')}?v=0123`,
    });
    expect(source.database.databaseId).toBe(board.databaseId);
  });

  it('refuses options where a written-back status also counts as new', () => {
    const result = notionSourceOptions.safeParse({
      database: '0123456789abcdef0123456789abcdef',
      statuses: { new: ['Not started', 'Blocked'] },
    });
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['statuses.blocked', '"Blocked" is also listed in statuses.new'],
    ]);
  });

  it('is a source plugin named notion whose options have defaults for everything but the database', () => {
    const options = notionSourcePlugin.options.parse({ database: '0123456789abcdef0123456789abcdef' });
    expect({
      kind: notionSourcePlugin.kind,
      name: notionSourcePlugin.name,
      statuses: options.statuses,
      tokenEnv: options.tokenEnv,
    }).toEqual({
      kind: 'source',
      name: 'notion',
      statuses: { new: ['Not started'], inProgress: 'In Progress', done: 'Done', blocked: 'Blocked' },
      tokenEnv: 'NOTION_TOKEN',
    });
  });

  it('describes every option in a JSON Schema for editors, with only the database required', () => {
    const schema = z.toJSONSchema(notionSourceOptions, { io: 'input' });
    const undocumented = Object.entries(schema.properties ?? {})
      .filter(([, property]) => typeof property !== 'object' || property.description === undefined)
      .map(([name]) => name);
    expect({ required: schema.required, undocumented }).toEqual({ required: ['database'], undocumented: [] });
  });
});
