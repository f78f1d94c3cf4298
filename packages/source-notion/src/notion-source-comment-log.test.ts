import { describe, expect, it } from 'vitest';
import { LOGGED_COMMENTS } from './comment-delivery.js';
import { boardFixture, type BoardFixture } from './notion-source.fixture.js';
import type { NotionSourceOptionsInput } from './notion-source-options.js';

/** A board whose pages have a "Kurultai log" text property, and sources on it that note their comments there. */
async function loggedBoard() {
  const board = await boardFixture({}, { 'Kurultai log': { type: 'rich_text' } });
  const options: Partial<NotionSourceOptionsInput> = {
    properties: { title: 'Name', status: 'Status', commentLog: 'Kurultai log' },
  };
  return { board, pageId: board.addTask('task'), source: () => board.source(options) };
}

function ourComments(board: BoardFixture, pageId: string): string[] {
  return board.fake.workspace.commentsOn(pageId).filter((comment) => comment.startsWith('Kurultai:'));
}

function logOf(board: BoardFixture, pageId: string): string {
  const value = board.fake.workspace.page(pageId).properties['Kurultai log'];
  return value?.type === 'rich_text' ? value.rich_text.map((item) => item.plain_text).join('') : '';
}

const completed = (taskId: string, output = 'done') => ({ kind: 'completed', taskId, agent: 'mongke', output }) as const;

describe('posting each comment once, even after a person resolved it', () => {
  it('posts a comment again after a restart when a person resolved it and no comment log is configured', async () => {
    // The limit the comment log exists for: Notion lists only unresolved comments.
    const board = await boardFixture();
    const pageId = board.addTask('task');
    const before = await board.source();
    await before.writeBack(completed(pageId));
    await before.close();
    board.fake.workspace.resolveDiscussions(pageId);
    await (await board.source()).writeBack(completed(pageId));
    expect(ourComments(board, pageId)).toHaveLength(2);
  });

  it('posts no second comment after a restart when a person resolved the first, with a comment log', async () => {
    const { board, pageId, source } = await loggedBoard();
    const before = await source();
    await before.writeBack(completed(pageId));
    await before.close();
    board.fake.workspace.resolveDiscussions(pageId);
    await (await source()).writeBack(completed(pageId));
    expect(ourComments(board, pageId)).toHaveLength(1);
  });

  it('notes each posted comment in the comment log by its marker', async () => {
    const { board, pageId, source } = await loggedBoard();
    await (await source()).writeBack(completed(pageId));
    const [comment = ''] = ourComments(board, pageId);
    expect(logOf(board, pageId)).toBe(comment.slice(comment.lastIndexOf('[kurultai:')));
  });

  it('notes a comment it finds on the page but not in the log, without posting it again', async () => {
    const { board, pageId, source } = await loggedBoard();
    // A source without the log posted it: as if stopped between posting and noting.
    const unlogged = await board.source();
    await unlogged.writeBack(completed(pageId));
    await unlogged.close();
    await (await source()).writeBack(completed(pageId));
    expect({ comments: ourComments(board, pageId).length, noted: logOf(board, pageId).startsWith('[kurultai:completed:') }).toEqual({
      comments: 1,
      noted: true,
    });
  });

  it('keeps what a person wrote in the log and forgets the oldest notes past the newest ones', async () => {
    const { board, pageId, source } = await loggedBoard();
    board.fake.workspace.editPage(pageId, { 'Kurultai log': 'kept by hand' });
    const writer = await source();
    for (let i = 0; i <= LOGGED_COMMENTS; i += 1) await writer.writeBack(completed(pageId, `answer ${i}`));
    const lines = logOf(board, pageId).split('\n');
    const [first = '', second = ''] = ourComments(board, pageId);
    expect({ lines: lines.length, hand: lines[0], firstForgotten: !lines.some((line) => first.endsWith(line)), secondKept: second.endsWith(lines[1] ?? '?') }).toEqual({
      lines: LOGGED_COMMENTS + 1,
      hand: 'kept by hand',
      firstForgotten: true,
      secondKept: true,
    });
  });

  it('refuses at start a comment log that is not a text property', async () => {
    const board = await boardFixture({}, { Log: { type: 'number' } });
    const error: unknown = await board.source({ properties: { title: 'Name', status: 'Status', commentLog: 'Log' } }).catch((e: unknown) => e);
    expect(String(error)).toContain('properties.commentLog: "Log" is a number property; it must be rich_text');
  });
});

describe('posting a comment once when Notion applied a request it did not answer', () => {
  it('looks for the comment before posting it again after a timeout, and finds it', async () => {
    const board = await boardFixture();
    const pageId = board.addTask('task');
    // Notion takes the comment after the client gave up on it, and before the retry's backoff (500 ms at least) ends.
    const source = await board.source({ requestTimeoutMs: 100, initialBackoffMs: 1000 });
    board.fake.inject({ type: 'slow', delayMs: 300 }, { endpoint: 'comments.create' });
    await source.writeBack(completed(pageId));
    expect({ comments: ourComments(board, pageId).length, retried: source.stats.retried }).toEqual({ comments: 1, retried: 1 });
  });
});
