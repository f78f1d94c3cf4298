import {
  describeError,
  KurultaiError,
  type Place,
  type PluginContext,
  type Source,
  type SourceBatch,
  type SourceReadOptions,
  type WriteBack,
} from '@kurultai/core';
import { APIErrorCode, Client, isNotionClientError, LogLevel, type UpdatePageParameters } from '@notionhq/client';
import { CommentDelivery } from './comment-delivery.js';
import { commentFor, commentMarker } from './comment-text.js';
import { createDataSourcePoller } from './data-source-poller.js';
import { checkDatabase, explainAccessError, type CheckedDatabase } from './database-check.js';
import { SyncState } from './notion-cursor.js';
import { notionSourceOptions, type NotionSourceOptions, type NotionSourceOptionsInput } from './notion-source-options.js';
import { PollTimer } from './poll-timer.js';
import { judgeFailure, RequestScheduler, type RequestSchedulerStats } from './request-scheduler.js';
import { startWebhookEndpoint, type WebhookEndpoint } from './webhook-endpoint.js';
import { WriteBackQueue, writeBackDigest, type StepFailure, type WriteBackStep } from './write-back-queue.js';

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

function isArchivedError(error: unknown): boolean {
  return isNotionClientError(error) && error.code === APIErrorCode.ValidationError && /archived/i.test(error.message);
}

/**
 * Creates a source that reads tasks from a Notion database and writes their statuses, answers and errors back to the
 * pages. It checks the database first and fails with a precise error if it does not match the options.
 */
export async function createNotionSource(
  input: NotionSourceOptionsInput | NotionSourceOptions,
  context: PluginContext,
): Promise<NotionSource> {
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
    longWaitWarningMs: options.longRetryAfterWarningMs,
    logger,
  });
  const startup = AbortSignal.timeout(options.startupDeadlineMs);
  const database = await checkDatabase(client, scheduler, options, place, startup).catch((error: unknown) => {
    throw startup.aborted ? startupTimeout(options, scheduler.stats, place) : error;
  });
  logger.info('reading tasks from Notion', { database: database.title, dataSourceId: database.dataSourceId });

  const timer = new PollTimer();
  const stopping = new AbortController();
  const poll = createDataSourcePoller({ client, scheduler, database, options, logger });
  const { properties } = options;

  // A failed poll while following is logged and tried again at the next poll; a config error (a refused token, a database
  // gone) ends the read, since waiting will not mend it.
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

  const comments = new CommentDelivery({ client, scheduler, logger, logProperty: properties.commentLog });
  const queue = new WriteBackQueue({
    steps: (update) => writeBackSteps(update, options),
    perform: async (taskId, step) => {
      if (step.kind === 'comment') {
        await comments.post(taskId, step, stopping.signal);
      } else {
        const update = propertyUpdate(step, database, options);
        await scheduler.run('pages.update', () => client.pages.update({ page_id: taskId, properties: update }), stopping.signal);
      }
    },
    judge: (error): StepFailure => {
      if (isArchivedError(error)) return { kind: 'page_gone', reason: 'the page is in the trash' };
      // Deleted, or no longer shared with the integration: no retry will find it, and the outbox would offer it forever.
      if (isNotionClientError(error) && error.code === APIErrorCode.ObjectNotFound) return { kind: 'page_gone', reason: error.message };
      return { kind: 'rejected', error };
    },
    logger,
  });

  const webhookOptions = options.webhook;
  const webhook: WebhookEndpoint | undefined =
    webhookOptions === undefined
      ? undefined
      : await startWebhookEndpoint({
          ...webhookOptions,
          verificationToken: context.env[webhookOptions.verificationTokenEnv],
          onDelivery: (eventType) => {
            logger.debug('a Notion webhook delivery triggers a poll', { eventType });
            timer.wake();
          },
          logger,
        }).catch((error: unknown) => {
          const where = `${webhookOptions.host}:${webhookOptions.port}`;
          throw new KurultaiError(
            'notion_webhook_unavailable',
            `The Notion webhook endpoint cannot listen on ${where}: ${String(error)}`,
            {
              place,
              cause: error,
            },
          );
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
        // A refused token is the config's fault and says so.
        if (isNotionClientError(error) && error.code === APIErrorCode.Unauthorized)
          throw explainAccessError(error, options, taskPlace);
        const message = describeError(error);
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

function startupTimeout(options: NotionSourceOptions, stats: RequestSchedulerStats, place: Place): KurultaiError {
  const seconds = options.startupDeadlineMs / 1000;
  const why =
    stats.rateLimited > 0
      ? `Notion kept answering 429 (rate limited, ${stats.rateLimited} time(s)) past the start-up deadline of ${seconds} s`
      : `Notion did not answer the start-up check within the start-up deadline of ${seconds} s`;
  return new KurultaiError('notion_start_timeout', `${why}; try again later, or raise startupDeadlineMs`, { place });
}

/**
 * The requests a write-back makes: for an assignment, the agent's name in the agent property (none without one); for a
 * status, the status first, then the comment, so a retry never posts a comment twice.
 */
function writeBackSteps(update: WriteBack, options: NotionSourceOptions): WriteBackStep[] {
  const { statuses, comments } = options;
  if (update.kind === 'assigned') {
    const property = options.properties.agent;
    // Notion's select options cannot hold a comma; an agent id never has one, and reads back as the same agent.
    const name = update.agentName.includes(',') ? update.agent : update.agentName;
    return property === undefined ? [] : [{ kind: 'agent', property, name }];
  }
  const status =
    update.kind === 'in_progress' ? statuses.inProgress : update.kind === 'completed' ? statuses.done : statuses.blocked;
  const wantsComment = update.kind === 'completed' ? comments.onCompleted : update.kind === 'failed' ? comments.onFailed : false;
  const text = wantsComment ? commentFor(update) : undefined;
  const comment = text === undefined ? [] : [{ kind: 'comment' as const, text, marker: commentMarker(writeBackDigest(update)) }];
  return [{ kind: 'status', name: status }, ...comment];
}

/** The page properties a status or agent step sets, in the type the property has. */
function propertyUpdate(
  step: Extract<WriteBackStep, { kind: 'status' | 'agent' }>,
  database: CheckedDatabase,
  options: NotionSourceOptions,
): UpdatePageParameters['properties'] {
  if (step.kind === 'status') {
    const value = database.statusType === 'status' ? { status: { name: step.name } } : { select: { name: step.name } };
    return { [options.properties.status]: value };
  }
  const value = database.agentType === 'select' ? { select: { name: step.name } } : { rich_text: [{ text: { content: step.name } }] };
  return { [step.property]: value };
}
