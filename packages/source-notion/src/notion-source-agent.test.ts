import { fileURLToPath } from 'node:url';
import {
  createDispatcher,
  createEchoSpawner,
  createSqliteSink,
  dispatcherSettingsSchema,
  echoSpawnerOptions,
  KurultaiError,
  loadCouncil,
  sqliteSinkOptions,
  type Sink,
  type Source,
} from '@kurultai/core';
import { afterEach, describe, expect, it } from 'vitest';
import { boardFixture, lastCursor, readAll, tasksOf, type BoardFixture } from './notion-source.fixture.js';
import { createNotionSource } from './notion-source.js';
import type { NotionSourceOptionsInput } from './notion-source-options.js';
import type { FakePropertySchema } from './testing/index.js';

const RULES = fileURLToPath(new URL('../../../rules/', import.meta.url));

/** The fixture's property mapping, with the board's agent property mapped too. */
const withAgent = (board: BoardFixture, agent = 'Agent'): Partial<NotionSourceOptionsInput> => ({
  properties: { ...board.options().properties, agent },
});

/** A task board with an "Agent" property of the given type, and a source reading it. */
async function agentBoard(schema: FakePropertySchema = { type: 'select', options: [] }, now?: () => Date) {
  const board = await boardFixture(now === undefined ? {} : { now }, { Agent: schema });
  const source = await board.source(withAgent(board));
  return { board, source };
}

/** What the page's "Agent" property shows, and who edited the page last. */
function agentShown(board: BoardFixture, pageId: string): { readonly agent: string | undefined; readonly editedBy: string } {
  const page = board.fake.workspace.page(pageId);
  const value = page.properties['Agent'];
  const text = value?.type === 'rich_text' ? value.rich_text.map((item) => item.plain_text).join('') : undefined;
  return { agent: value?.type === 'select' ? value.select?.name : text, editedBy: page.last_edited_by.id };
}

describe('the agent property', () => {
  it("reads the agent a person picked into the task's assignee, with the page's last editor as who chose", async () => {
    const { board, source } = await agentBoard();
    board.addTask('Audit the login flow', { Agent: 'Jochi' });
    const [task] = tasksOf(await readAll(source));
    expect(task?.assignee).toEqual({ agent: 'Jochi', by: board.fake.workspace.person.id });
    expect(task?.properties).not.toHaveProperty('agent');
  });

  it('reads a text agent property the same way, without the spaces around the name', async () => {
    const { board, source } = await agentBoard({ type: 'rich_text' });
    board.addTask('Audit the login flow', { Agent: '  jochi ' });
    expect(tasksOf(await readAll(source))[0]?.assignee).toEqual({ agent: 'jochi', by: board.fake.workspace.person.id });
  });

  it('gives a task no assignee while its agent property is empty', async () => {
    const { board, source } = await agentBoard({ type: 'rich_text' });
    board.addTask('Audit the login flow', { Agent: '   ' });
    board.addTask('Audit the signup flow');
    expect(tasksOf(await readAll(source)).map((task) => task.assignee)).toEqual([undefined, undefined]);
  });

  it("writes the assigned agent's display name into a select agent property, as Kurultai", async () => {
    const { board, source } = await agentBoard();
    const pageId = board.addTask('Implement the OAuth login flow');
    await source.writeBack({ kind: 'assigned', taskId: pageId, agent: 'temujin', agentName: 'Temüjin' });
    expect(agentShown(board, pageId)).toEqual({ agent: 'Temüjin', editedBy: board.fake.workspace.bot.id });
    expect(board.statusOf(pageId)).toBe('Not started');
  });

  it("writes the assigned agent's display name into a text agent property", async () => {
    const { board, source } = await agentBoard({ type: 'rich_text' });
    const pageId = board.addTask('Implement the OAuth login flow');
    await source.writeBack({ kind: 'assigned', taskId: pageId, agent: 'temujin', agentName: 'Temüjin' });
    expect(agentShown(board, pageId).agent).toBe('Temüjin');
  });

  it('writes the agent id into a select when the display name has a comma, which Notion refuses in an option', async () => {
    const { board, source } = await agentBoard();
    const pageId = board.addTask('Summarise the quarterly report');
    await source.writeBack({ kind: 'assigned', taskId: pageId, agent: 'smith', agentName: 'Smith, J.' });
    expect(agentShown(board, pageId).agent).toBe('smith');
  });

  it('writes the agent again when a task comes back to an agent it had before', async () => {
    const { board, source } = await agentBoard();
    const pageId = board.addTask('Implement the OAuth login flow');
    await source.writeBack({ kind: 'assigned', taskId: pageId, agent: 'temujin', agentName: 'Temüjin' });
    await source.writeBack({ kind: 'assigned', taskId: pageId, agent: 'jochi', agentName: 'Jochi' });
    await source.writeBack({ kind: 'assigned', taskId: pageId, agent: 'temujin', agentName: 'Temüjin' });
    expect(agentShown(board, pageId).agent).toBe('Temüjin');
  });

  it('makes no request for an assignment when no agent property is mapped', async () => {
    const board = await boardFixture();
    const pageId = board.addTask('Implement the OAuth login flow');
    const source = await board.source();
    const before = board.fake.count();
    await source.writeBack({ kind: 'assigned', taskId: pageId, agent: 'temujin', agentName: 'Temüjin' });
    expect(board.fake.count()).toBe(before);
  });

  it('does not read its own write of the agent back as a task to route', async () => {
    const { board, source } = await agentBoard();
    const pageId = board.addTask('Implement the OAuth login flow');
    const cursor = lastCursor(await readAll(source));
    await source.writeBack({ kind: 'assigned', taskId: pageId, agent: 'temujin', agentName: 'Temüjin' });
    expect(tasksOf(await readAll(source, cursor))).toEqual([]);
  });

  it('reads again a page whose agent a person changed within the minute of the last read, though Notion shows the same time', async () => {
    const now = new Date('2026-11-24T10:00:10Z');
    const { board, source } = await agentBoard(undefined, () => now);
    const pageId = board.addTask('Implement the OAuth login flow', { Agent: 'Temüjin' });
    const cursor = lastCursor(await readAll(source));
    board.fake.workspace.editPage(pageId, { Agent: 'Jochi' });
    expect(tasksOf(await readAll(source, cursor)).map((task) => task.assignee?.agent)).toEqual(['Jochi']);
  });

  it('refuses to start when the agent property is neither a select nor text', async () => {
    const board = await boardFixture({}, { Agent: { type: 'people' } });
    const error = await createNotionSource(board.options(withAgent(board)), board.context).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KurultaiError);
    expect((error as KurultaiError).problems.map((problem) => problem.message)).toEqual([
      'properties.agent: "Agent" is a people property; it must be select or rich_text',
    ]);
  });
});

describe('a person correcting the agent on the board', () => {
  const sinks: Sink[] = [];
  afterEach(async () => {
    await Promise.all(sinks.splice(0).map((sink) => sink.close()));
  });

  async function ledger(): Promise<Sink> {
    const sink = createSqliteSink(sqliteSinkOptions.parse({ path: ':memory:' }));
    await sink.init();
    sinks.push(sink);
    return sink;
  }

  // The default council, loaded once for the file: parsing its fitted weights takes a second on a busy machine.
  let council: ReturnType<typeof loadCouncil> | undefined;

  /** One `kurultai run --once` on the default council; `autoExecute: false` records without running (review mode). */
  async function runOnce(source: Source, sink: Sink, autoExecute: boolean) {
    const dispatcher = createDispatcher({
      source,
      sink,
      spawner: createEchoSpawner(echoSpawnerOptions.parse({})),
      council: await (council ??= loadCouncil(RULES)),
      settings: dispatcherSettingsSchema.parse({ autoExecute, pollSeconds: 0.05 }),
    });
    return dispatcher.runOnce();
  }

  /** A board with one task, recorded and assigned by Kurultai but not started (review mode). */
  async function assignedTask() {
    // Every edit in one minute: Notion shows them all at the same last_edited_time.
    const now = new Date('2026-11-24T10:00:10Z');
    const { board, source } = await agentBoard(undefined, () => now);
    const pageId = board.addTask('Write the API reference for the billing endpoints');
    const sink = await ledger();
    await runOnce(source, sink, false);
    return { board, source, pageId, sink };
  }

  it('moves a task not yet started to the agent they chose, records the correction, and runs the task there', async () => {
    const { board, source, pageId, sink } = await assignedTask();
    expect(agentShown(board, pageId)).toEqual({ agent: 'Chagatai', editedBy: board.fake.workspace.bot.id });

    board.fake.workspace.editPage(pageId, { Agent: 'Jochi' });
    await runOnce(source, sink, false);
    const by = board.fake.workspace.person.id;
    expect(await sink.corrections()).toEqual([
      expect.objectContaining({ from: 'chagatai', to: 'jochi', by, task: expect.objectContaining({ id: pageId }) }),
    ]);

    const summary = await runOnce(source, sink, true);
    expect(summary.completed).toBe(1);
    expect(await sink.getTask(pageId)).toMatchObject({
      status: 'completed',
      output: `Jochi handled ${pageId} (attempt 1)`,
      decision: { agent: 'jochi', reason: 'correction' },
    });
    expect([board.statusOf(pageId), agentShown(board, pageId).agent]).toEqual(['Done', 'Jochi']);
  });

  it("records no correction when they edit another property of a task showing Kurultai's own choice", async () => {
    const { board, source, pageId, sink } = await assignedTask();
    board.fake.workspace.editPage(pageId, { Description: 'Cover the refund endpoints too' });
    await runOnce(source, sink, false);
    expect(await sink.corrections()).toEqual([]);
    const { decision } = (await sink.getTask(pageId)) ?? {};
    expect([decision?.agent, decision?.reason === 'correction']).toEqual(['chagatai', false]);
    expect(await sink.history(pageId)).toHaveLength(2);
  });
});
