import type { Logger, SourceBatch, TaskInput } from '@kurultai/core';
import {
  APIErrorCode,
  isFullPage,
  isNotionClientError,
  type Client,
  type QueryDataSourceParameters,
  type QueryDataSourceResponse,
} from '@notionhq/client';
import type { CheckedDatabase } from './database-check.js';
import { PAGE_SIZE_LIMIT } from './notion-limits.js';
import type { SyncState } from './notion-cursor.js';
import type { NotionSourceOptions } from './notion-source-options.js';
import type { SkippedProperty } from './page-properties.js';
import { withWholeReferences } from './page-references.js';
import { agentOf, pageToTask, statusOf } from './page-to-task.js';
import type { RequestScheduler } from './request-scheduler.js';

type Filter = NonNullable<QueryDataSourceParameters['filter']>;
/** A single condition: Notion's filter types allow these nested at most two levels deep. */
type Condition = Exclude<Filter, { or: unknown } | { and: unknown }>;

/** How often one poll starts its paging over after Notion refused a cursor, before the poll fails. */
const MAX_POLL_RESTARTS = 3;

function isStaleCursorError(error: unknown): boolean {
  return isNotionClientError(error) && error.code === APIErrorCode.ValidationError && /start_cursor/i.test(error.message);
}

function statusCondition(type: 'status' | 'select', property: string, name: string): Condition {
  return type === 'status' ? { property, status: { equals: name } } : { property, select: { equals: name } };
}

export interface DataSourcePollerOptions {
  readonly client: Client;
  readonly scheduler: RequestScheduler;
  readonly database: CheckedDatabase;
  readonly options: NotionSourceOptions;
  readonly logger: Logger;
}

/** One poll of the data source: the batches of new tasks it finds, each with the cursor to resume after it. */
export type Poll = (state: SyncState, signal: AbortSignal) => AsyncGenerator<SourceBatch>;

/**
 * Makes the poll: pages in a "new" status edited since the overlap window before the watermark (all of them on the first
 * read), oldest edit first, 100 per request, each page version delivered once.
 */
export function createDataSourcePoller({ client, scheduler, database, options, logger }: DataSourcePollerOptions): Poll {
  const { statuses, properties } = options;
  const statusConditions = statuses.new.map((name) => statusCondition(database.statusType, properties.status, name));
  const [onlyStatus] = statusConditions;
  const newStatusFilter = statusConditions.length === 1 && onlyStatus !== undefined ? onlyStatus : { or: statusConditions };

  const query = (state: SyncState, startCursor: string | undefined, signal: AbortSignal) => {
    const from = state.readFrom(options.overlapMs);
    const filter: Filter =
      from === undefined
        ? newStatusFilter
        : { and: [{ timestamp: 'last_edited_time', last_edited_time: { on_or_after: from } }, newStatusFilter] };
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

  // A property the source cannot read is said once per source, not at every page.
  const warnedProperties = new Set<string>();
  const warnSkippedProperties = (taskId: string, skipped: readonly SkippedProperty[]) => {
    for (const { name, reason } of skipped) {
      if (warnedProperties.has(name)) continue;
      warnedProperties.add(name);
      logger.warn('a Notion property is left out of the tasks\' properties', { property: name, reason, taskId });
    }
  };

  /** The tasks among a query's results that were not delivered before, recording every page version read. */
  const newTasks = async (state: SyncState, results: QueryDataSourceResponse['results'], signal: AbortSignal): Promise<TaskInput[]> => {
    const tasks: TaskInput[] = [];
    for (const page of results) {
      if (!isFullPage(page)) continue;
      const fresh = state.observe({
        pageId: page.id,
        lastEditedTime: page.last_edited_time,
        status: statusOf(page, properties.status),
        agent: agentOf(page, properties.agent),
      });
      if (!fresh) continue;
      if (page.last_edited_by.id === database.botId) {
        logger.debug('not re-reading a page Kurultai edited last', { taskId: page.id });
        continue;
      }
      const reading = pageToTask(await withWholeReferences({ client, scheduler, logger }, page, signal), options);
      if (reading.kind === 'task') {
        tasks.push(reading.task);
        warnSkippedProperties(page.id, reading.skippedProperties);
      } else {
        logger.warn('skipping a Notion page', { taskId: page.id, reason: reading.reason });
      }
    }
    state.prune(options.overlapMs);
    return tasks;
  };

  return async function* poll(state, signal) {
    let lastCursor: string | undefined;
    let startCursor: string | undefined;
    for (let restarts = 0; ;) {
      let answer: QueryDataSourceResponse;
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
      const tasks = await newTasks(state, answer.results, signal);
      const cursor = state.serialize();
      if (tasks.length > 0 || cursor !== lastCursor) yield { tasks, cursor };
      lastCursor = cursor;
      if (!answer.has_more || answer.next_cursor === null) return;
      startCursor = answer.next_cursor;
    }
  };
}
