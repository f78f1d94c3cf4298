import {
  KurultaiError,
  type PluginContext,
  type Source,
  type SourceBatch,
  type SourceReadOptions,
  type TaskInput,
  type WriteBack,
} from '@kurultai/core';
import { APIErrorCode, Client, isFullPage, isNotionClientError, LogLevel, type QueryDataSourceParameters, type QueryDataSourceResponse } from '@notionhq/client';
import { commentFor, commentRichText } from './comment-text.js';
import { checkDatabase, explainAccessError, type CheckedDatabase } from './database-check.js';
import { PAGE_SIZE_LIMIT } from './notion-limits.js';
import { SyncState } from './notion-cursor.js';
import { notionSourceOptions, type NotionSourceOptions, type NotionSourceOptionsInput } from './notion-source-options.js';
import { pageToTask, statusOf } from './page-to-task.js';
import { judgeFailure, RequestScheduler, type RequestSchedulerStats } from './request-scheduler.js';
import { startWebhookEndpoint, type WebhookEndpoint } from './webhook-endpoint.js';
import { WriteBackQueue, type StepFailure, type WriteBackStep } from './write-back-queue.js';

/** The Notion source, with what its tests and benchmark look at. */
export interface NotionSource extends Source {
  /** The database and data source being read, as the start-up check found them. */
  readonly database: CheckedDatabase;
  /** Where Notion's webhooks are received, when the endpoint is on. */
  readonly webhookUrl: string | undefined;
  /** Requests made through the shared scheduler, and how many were rate limited or retried. */
  readonly stats: RequestSchedulerStats;
  /** Write-backs accepted but not yet done. */
  readonly pendingWriteBacks: number;
  /** Ends the current wait between polls (what a webhook delivery does). */
  pollNow(): void;
  /** Stops following, hands back write-backs not yet started, and closes the webhook endpoint. */
  close(): Promise<void>;
}

type Filter = NonNullable<QueryDataSourceParameters['filter']>;
/** A single condition: Notion's filter types allow these nested at most two levels deep. */
type Condition = Exclude<Filter, { or: unknown } | { and: unknown }>;

/** Wakes a follower's wait between polls, early when asked. */
class PollTimer {
  #wake: (() => void) | undefined;
  #woken = false;

  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.#woken || signal.aborted) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#wake = undefined;
        this.#woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.#wake = done;
    });
  }
}

/** How often one poll starts its paging over after Notion refused a cursor, before the poll fails. */
const MAX_POLL_RESTARTS = 3;

function isStaleCursorError(error: unknown): boolean {
  return isNotionClientError(error) && error.code === APIErrorCode.ValidationError && /start_cursor/i.test(error.message);
}

function isArchivedError(error: unknown): boolean {
  return isNotionClientError(error) && error.code === APIErrorCode.ValidationError && /archived/i.test(error.message);
}

/**
 * Creates a source that reads tasks from a Notion database and writes their statuses, answers and errors back to the
 * pages. It checks the database first and fails with a precise error if it does not match the options.
 */
export async function createNotionSource(input: NotionSourceOptionsInput | NotionSourceOptions, context: PluginContext): Promise<NotionSource> {
  const options = notionSourceOptions.parse(input);
  const { logger } = context;
  const place = { plugin: options.name };
  const token = context.env[options.tokenEnv];
  if (token === undefined || token === '') {
    throw new KurultaiError('notion_token_missing', `Set $${options.tokenEnv} to the Notion integration's token`, { place });
  }
  const client = new Client({
    auth: token,
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    timeoutMs: options.requestTimeoutMs,
    // Every retry is the scheduler's, so that rate limits, 5xx on writes and Retry-After past any cap follow one policy.
    retry: false,
    logLevel: LogLevel.WARN,
    logger: (_level, message, extraInfo) => logger.debug(`notion client: ${message}`, extraInfo),
  });
  const scheduler = new RequestScheduler({
    requestsPerSecond: options.requestsPerSecond,
    maxAttempts: options.maxAttempts,
    initialBackoffMs: options.initialBackoffMs,
    logger,
  });
  const database = await checkDatabase(client, scheduler, options, place);
  logger.info('reading tasks from Notion', { database: database.title, dataSourceId: database.dataSourceId });

  const timer = new PollTimer();
  const stopping = new AbortController();
  const { statuses, properties } = options;
  const statusConditions = statuses.new.map((name) => statusCondition(database.statusType, properties.status, name));
  const [onlyStatus] = statusConditions;
  const newStatusFilter = statusConditions.length === 1 && onlyStatus !== undefined ? onlyStatus : { or: statusConditions };

  const query = (state: SyncState, startCursor: string | undefined, signal: AbortSignal) => {
    const from = state.readFrom(options.overlapMs);
    const filter: Filter =
      from === undefined ? newStatusFilter : { and: [{ timestamp: 'last_edited_time', last_edited_time: { on_or_after: from } }, newStatusFilter] };
    return scheduler.run(
      'dataSources.query',
      () =>
        client.dataSources.query({
          data_source_id: database.dataSourceId,
          filter,
          sorts: [{ timestamp: 'last_edited_time', direction: 'ascending' }],
          page_size: PAGE_SIZE_LIMIT,
          ...(startCursor === undefined ? {} : { start_cursor: startCursor }),
        }),
      signal,
    );
  };

  /** The tasks among a query's results that were not delivered before, recording every page version read. */
  const newTasks = (state: SyncState, results: QueryDataSourceResponse['results']): TaskInput[] => {
    const tasks: TaskInput[] = [];
    for (const page of results) {
      if (!isFullPage(page)) continue;
      const fresh = state.observe({ pageId: page.id, lastEditedTime: page.last_edited_time, status: statusOf(page, properties.status) });
      if (!fresh) continue;
      if (page.last_edited_by.id === database.botId) {
        logger.debug('not re-reading a page Kurultai edited last', { taskId: page.id });
        continue;
      }
      const reading = pageToTask(page, options);
      if (reading.kind === 'task') tasks.push(reading.task);
      else logger.warn('skipping a Notion page', { taskId: page.id, reason: reading.reason });
    }
    state.prune(options.overlapMs);
    return tasks;
  };

  async function* poll(state: SyncState, signal: AbortSignal): AsyncGenerator<SourceBatch> {
    let lastCursor: string | undefined;
    let startCursor: string | undefined;
    for (let restarts = 0; ; ) {
      let answer: Awaited<ReturnType<typeof query>>;
      try {
        answer = await query(state, startCursor, signal);
      } catch (error) {
        if (startCursor === undefined || !isStaleCursorError(error) || restarts >= MAX_POLL_RESTARTS) throw error;
        // The page the cursor pointed at changed under the paging; read again from the watermark, which has moved on with
        // the pages read so far: they are recognised and not delivered twice.
        logger.warn('Notion refused the paging cursor; reading again from the newest page read', { restarts });
        restarts += 1;
        startCursor = undefined;
        continue;
      }
      const tasks = newTasks(state, answer.results);
      const cursor = state.serialize();
      if (tasks.length > 0 || cursor !== lastCursor) yield { tasks, cursor };
      lastCursor = cursor;
      if (!answer.has_more || answer.next_cursor === null) return;
      startCursor = answer.next_cursor;
    }
  }

  async function* read({ cursor, follow, signal: callerSignal }: SourceReadOptions): AsyncGenerator<SourceBatch> {
    const signal = AbortSignal.any([callerSignal, stopping.signal]);
    const state = SyncState.resume(cursor, logger);
    for (;;) {
      try {
        yield* poll(state, signal);
      } catch (error) {
        if (signal.aborted) return;
        const explained = explainAccessError(error, options, place);
        if (!follow || explained instanceof KurultaiError || judgeFailure(error).kind === 'permanent') throw explained;
        logger.warn('a Notion poll failed; trying again at the next poll', { error: String(error) });
      }
      if (!follow || signal.aborted) return;
      await timer.wait(options.pollIntervalMs, signal);
      if (signal.aborted) return;
    }
  }

  const queue = new WriteBackQueue({
    steps: (update) => writeBackSteps(update, options),
    perform: async (taskId, step) => {
      if (step.kind === 'status') {
        const value = database.statusType === 'status' ? { status: { name: step.name } } : { select: { name: step.name } };
        await scheduler.run('pages.update', () => client.pages.update({ page_id: taskId, properties: { [properties.status]: value } }), stopping.signal);
      } else {
        await scheduler.run(
          'comments.create',
          () => client.comments.create({ parent: { page_id: taskId }, rich_text: commentRichText(step.text) }),
          stopping.signal,
        );
      }
    },
    judge: (error): StepFailure => {
      if (isArchivedError(error)) return { kind: 'page_gone', reason: 'the page is in the trash' };
      return { kind: 'rejected', error };
    },
    logger,
  });

  const webhook: WebhookEndpoint | undefined =
    options.webhook === undefined
      ? undefined
      : await startWebhookEndpoint({
          ...options.webhook,
          verificationToken: context.env[options.webhook.verificationTokenEnv],
          onDelivery: (eventType) => {
            logger.debug('a Notion webhook delivery triggers a poll', { eventType });
            timer.wake();
          },
          logger,
        });

  return {
    name: options.name,
    database,
    webhookUrl: webhook?.url,
    get stats() {
      return scheduler.stats;
    },
    get pendingWriteBacks() {
      return queue.size;
    },
    pollNow: () => timer.wake(),
    read,
    async writeBack(update: WriteBack) {
      try {
        await queue.add(update);
      } catch (error) {
        const taskPlace = { ...place, taskId: update.taskId };
        // A refused token is the config's fault and says so; a missing page is Notion's own message about that page.
        if (isNotionClientError(error) && error.code === APIErrorCode.Unauthorized) throw explainAccessError(error, options, taskPlace);
        const message = error instanceof Error ? error.message : String(error);
        throw new KurultaiError('notion_write_back_failed', `Notion did not accept the ${update.kind} write-back: ${message}`, {
          place: taskPlace,
          cause: error,
        });
      }
    },
    async close() {
      stopping.abort();
      await Promise.all([queue.close(), webhook?.close()]);
    },
  };
}

function statusCondition(type: 'status' | 'select', property: string, name: string): Condition {
  return type === 'status' ? { property, status: { equals: name } } : { property, select: { equals: name } };
}

/** The requests a write-back makes: the status first, then the comment, so a retry never posts a comment twice. */
function writeBackSteps(update: WriteBack, options: NotionSourceOptions): WriteBackStep[] {
  const { statuses, comments } = options;
  const status = update.kind === 'in_progress' ? statuses.inProgress : update.kind === 'completed' ? statuses.done : statuses.blocked;
  const wantsComment = update.kind === 'completed' ? comments.onCompleted : update.kind === 'failed' ? comments.onFailed : false;
  const text = wantsComment ? commentFor(update) : undefined;
  return [{ kind: 'status', name: status }, ...(text === undefined ? [] : [{ kind: 'comment' as const, text }])];
}
