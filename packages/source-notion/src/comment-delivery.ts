import type { Logger } from '@kurultai/core';
import { isFullPage, type Client } from '@notionhq/client';
import { commentRichText, isMarkerLine } from './comment-text.js';
import { splitText } from './notion-limits.js';
import { PostedComments } from './page-comments.js';
import { textOf } from './page-to-task.js';
import type { RequestScheduler } from './request-scheduler.js';

/** How many posted comments the log keeps noted, newest last; a task's page seldom gets more write-back comments. */
export const LOGGED_COMMENTS = 20;

/** A write-back's comment: its text, and the marker that ends it and identifies the write-back. */
export interface CommentToPost {
  readonly text: string;
  readonly marker: string;
}

export interface CommentDeliveryOptions {
  readonly client: Client;
  readonly scheduler: RequestScheduler;
  readonly logger: Logger;
  /** The text property where posted comments are noted; when absent only the page's unresolved comments are checked. */
  readonly logProperty: string | undefined;
}

/**
 * Posts each write-back comment on its page once, across retries and restarts. Three records say a comment is there:
 * the comment log property (when configured), which survives a person resolving the comment; the page's unresolved
 * comments, which cover the moment between posting and noting; and, after a failure that may have posted it anyway (a
 * timeout, a 5xx), the page again before the retry.
 */
export class CommentDelivery {
  readonly #options: CommentDeliveryOptions;
  readonly #posted: PostedComments;

  constructor(options: CommentDeliveryOptions) {
    this.#options = options;
    this.#posted = new PostedComments(options);
  }

  async post(pageId: string, comment: CommentToPost, signal: AbortSignal): Promise<void> {
    const { logger } = this.#options;
    const note = comment.marker.trim();
    const log = await this.#readLog(pageId, signal);
    if (log?.includes(note) === true) {
      logger.info('the comment log says the comment is on the Notion page; not posting it again', { taskId: pageId });
      return;
    }
    if (await this.#posted.has(pageId, comment.marker, signal)) {
      logger.info('the comment is already on the Notion page; not posting it again', { taskId: pageId });
    } else {
      await this.#create(pageId, comment, signal);
    }
    if (log !== undefined) await this.#note(pageId, log, note, signal);
  }

  /** Posts the comment; a retry first looks for it on the page, since the failed attempt may have posted it. */
  async #create(pageId: string, comment: CommentToPost, signal: AbortSignal): Promise<void> {
    const { client, scheduler } = this.#options;
    let attempted = false;
    await scheduler.run(
      'comments.create',
      async () => {
        if (attempted && (await this.#posted.has(pageId, comment.marker, signal))) return;
        attempted = true;
        await client.comments.create({ parent: { page_id: pageId }, rich_text: commentRichText(comment.text, comment.marker) });
      },
      signal,
    );
  }

  async #readLog(pageId: string, signal: AbortSignal): Promise<string | undefined> {
    const { client, scheduler, logProperty } = this.#options;
    if (logProperty === undefined) return undefined;
    const page = await scheduler.run('pages.retrieve', () => client.pages.retrieve({ page_id: pageId }), signal);
    return (isFullPage(page) ? textOf(page.properties[logProperty]) : undefined) ?? '';
  }

  /** Adds a note to the log, keeping what else it holds (a person may write there too) and the newest notes only. */
  async #note(pageId: string, log: string, note: string, signal: AbortSignal): Promise<void> {
    const { client, scheduler, logProperty } = this.#options;
    if (logProperty === undefined) return;
    const lines = [...log.split('\n').filter((line) => line !== ''), note];
    const notes = lines.filter(isMarkerLine);
    const forgotten = new Set(notes.slice(0, Math.max(0, notes.length - LOGGED_COMMENTS)));
    const text = lines.filter((line) => !forgotten.has(line)).join('\n');
    const richText = splitText(text).map((content) => ({ type: 'text' as const, text: { content } }));
    await scheduler.run(
      'pages.update',
      () => client.pages.update({ page_id: pageId, properties: { [logProperty]: { rich_text: richText } } }),
      signal,
    );
  }
}
