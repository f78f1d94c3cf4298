import type { Client } from '@notionhq/client';
import { carriesMarker } from './comment-text.js';
import { PAGE_SIZE_LIMIT } from './notion-limits.js';
import type { RequestScheduler } from './request-scheduler.js';

export interface MarkedCommentQuery {
  readonly client: Client;
  readonly scheduler: RequestScheduler;
  readonly pageId: string;
  readonly marker: string;
  readonly signal: AbortSignal;
}

/**
 * Whether a comment on the page already carries `marker`, reading the page's comments page by page (each request in
 * the scheduler's turn). This is what keeps a comment write-back idempotent across restarts: the write-back queue
 * forgets what it posted when the process ends, the page does not.
 */
export async function hasMarkedComment({ client, scheduler, pageId, marker, signal }: MarkedCommentQuery): Promise<boolean> {
  let cursor: string | undefined;
  do {
    const startCursor = cursor;
    const page = await scheduler.run(
      'comments.list',
      () => client.comments.list({ block_id: pageId, page_size: PAGE_SIZE_LIMIT, ...(startCursor === undefined ? {} : { start_cursor: startCursor }) }),
      signal,
    );
    if (page.results.some((comment) => carriesMarker(comment.rich_text.map((item) => item.plain_text).join(''), marker))) return true;
    cursor = page.next_cursor ?? undefined;
  } while (cursor !== undefined);
  return false;
}
