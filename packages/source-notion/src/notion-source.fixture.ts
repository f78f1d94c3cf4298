import type { Logger, PluginContext, SourceBatch, TaskInput } from '@kurultai/core';
import { afterEach } from 'vitest';
import { createNotionSource, type NotionSource } from './notion-source.js';
import type { NotionSourceOptionsInput } from './notion-source-options.js';
import {
  createTaskBoard,
  startFakeNotionServer,
  TASK_BOARD_PROPERTIES,
  type FakeNotionServer,
  type FakeNotionServerOptions,
  type FakePropertyInput,
  type FakePropertySchema,
} from './testing/index.js';

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>> | undefined;
}

/** A logger that keeps every line, so tests can look for warnings and for secrets that must not be there. */
export function recordingLogger(): { readonly logger: Logger; readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (message: string, fields?: Readonly<Record<string, unknown>>) => {
    lines.push({ level, message, fields });
  };
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export interface BoardFixture {
  readonly fake: FakeNotionServer;
  readonly databaseId: string;
  readonly dataSourceId: string;
  readonly lines: LogLine[];
  readonly context: PluginContext;
  /** Options pointing a source at this fake; tests add their own. */
  options(extra?: Partial<NotionSourceOptionsInput>): NotionSourceOptionsInput;
  /** Creates a source on the board, closed after the test; `env` adds environment variables. */
  source(extra?: Partial<NotionSourceOptionsInput>, env?: Readonly<Record<string, string>>): Promise<NotionSource>;
  /** Adds a task page as a person, in the "Not started" status unless told otherwise. */
  addTask(title: string, values?: Readonly<Record<string, FakePropertyInput>>): string;
  /** The status a page shows now. */
  statusOf(pageId: string): string | undefined;
}

/**
 * A fake Notion with a task board (with `extraProperties` besides the usual ones), and a way to make sources on it. The
 * fake's rate limiter is off unless asked for, and sources run at 100 requests per second, so tests about other
 * behaviours do not wait for Notion's pace.
 */
export async function boardFixture(
  fakeOptions: FakeNotionServerOptions = {},
  extraProperties: Readonly<Record<string, FakePropertySchema>> = {},
): Promise<BoardFixture> {
  const fake = await startFakeNotionServer({ rateLimit: false, ...fakeOptions });
  cleanups.push(() => fake.close());
  const { databaseId, dataSourceId } = createTaskBoard(fake.workspace, { ...TASK_BOARD_PROPERTIES, ...extraProperties });
  const { logger, lines } = recordingLogger();
  const context: PluginContext = { logger, env: { NOTION_TOKEN: fake.token }, baseDir: process.cwd() };
  const options = (extra: Partial<NotionSourceOptionsInput> = {}): NotionSourceOptionsInput => ({
    database: databaseId,
    baseUrl: fake.url,
    requestsPerSecond: 100,
    initialBackoffMs: 20,
    properties: { title: 'Name', status: 'Status', priority: 'Priority', tags: 'Tags', description: 'Description' },
    ...extra,
  });
  return {
    fake,
    databaseId,
    dataSourceId,
    lines,
    context,
    options,
    async source(extra, env = {}) {
      const source = await createNotionSource(options(extra), { ...context, env: { ...context.env, ...env } });
      cleanups.push(() => source.close());
      return source;
    },
    addTask: (title, values = {}) => fake.workspace.createPage(dataSourceId, { Name: title, Status: 'Not started', ...values }),
    statusOf(pageId) {
      const status = fake.workspace.page(pageId).properties['Status'];
      return status?.type === 'status' ? status.status?.name : undefined;
    },
  };
}

/** A board holding one task page ("task", not started) and a source on it. */
export async function oneTaskBoard(extra: Partial<NotionSourceOptionsInput> = {}, fakeOptions: FakeNotionServerOptions = {}) {
  const board = await boardFixture(fakeOptions);
  const pageId = board.addTask('task');
  const source = await board.source(extra);
  return { board, pageId, source };
}

/** Reads what the source holds now (`follow: false`); answers every batch. */
export async function readAll(source: NotionSource, cursor?: string): Promise<SourceBatch[]> {
  const batches: SourceBatch[] = [];
  for await (const batch of source.read({ cursor, follow: false, signal: new AbortController().signal })) batches.push(batch);
  return batches;
}

export function tasksOf(batches: readonly SourceBatch[]): TaskInput[] {
  return batches.flatMap((batch) => batch.tasks);
}

export function lastCursor(batches: readonly SourceBatch[]): string | undefined {
  return batches.at(-1)?.cursor;
}
