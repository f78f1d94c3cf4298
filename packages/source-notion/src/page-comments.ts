import type { Logger } from '@kurultai/core';
import { APIErrorCode, isNotionClientError, type Client } from '@notionhq/client';
import { carriesMarker } from './comment-text.js';
import { PAGE_SIZE_LIMIT } from './notion-limits.js';
import { plainText } from './page-properties.js';
import type { RequestScheduler } from './request-scheduler.js';

export interface PostedCommentsOptions {
  readonly client: Client;
  readonly scheduler: RequestScheduler;
  readonly logger: Logger;
}

/**
 * Tells whether a comment carrying a marker is already on a page, reading the page's comments page by page (each request
 * in the scheduler's turn). This keeps comment write-backs idempotent across restarts: the write-back queue forgets what
 * it posted when the process ends, the page does not.
 */
export class PostedComments {
  readonly #options: PostedCommentsOptions;
  /** Cleared when Notion refuses to list comments: the integration lacks "Read comments", which a restart will not mend. */
  #readable = true;

  constructor(options: PostedCommentsOptions) {
    this.#options = options;
  }

  /**
   * Whether a comment on the page carries `marker`. Without the "Read comments" capability it cannot tell, says so in a
   * warning once, and answers false: posting twice after a restart beats never posting.
   */
  async has(pageId: string, marker: string, signal: AbortSignal): Promise<boolean> {
    if (!this.#readable) return false;
    try {
      return await this.#search(pageId, marker, signal);
    } catch (error) {
      if (!isNotionClientError(error) || error.code !== APIErrorCode.RestrictedResource) throw error;
      this.#readable = false;
      this.#options.logger.warn(
        "the integration cannot read comments (give it Notion's \"Read comments\" capability): a comment offered again after a restart may be posted twice",
        { taskId: pageId },
      );
      return false;
    }
  }

  async #search(pageId: string, marker: string, signal: AbortSignal): Promise<boolean> {
    const { client, scheduler } = this.#options;
    let cursor: string | undefined;
    do {
      const startCursor = cursor;
      const page = await scheduler.run(
        'comments.list',
        () => client.comments.list({ block_id: pageId, page_size: PAGE_SIZE_LIMIT, ...(startCursor === undefined ? {} : { start_cursor: startCursor }) }),
        signal,
      );
      if (page.results.some((comment) => carriesMarker(plainText(comment.rich_text), marker))) return true;
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
    return false;
  }
}
