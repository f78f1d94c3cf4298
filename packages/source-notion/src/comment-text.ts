import type { WriteBack } from '@kurultai/core';
import { RICH_TEXT_ARRAY_LIMIT, splitText, TEXT_CONTENT_LIMIT } from './notion-limits.js';

/** A comment's body as `comments.create` takes it. */
export type CommentRichText = { readonly type: 'text'; readonly text: { readonly content: string } }[];

/** The most text one comment holds: 100 text objects of 2000 code units. */
export const COMMENT_TEXT_LIMIT = RICH_TEXT_ARRAY_LIMIT * TEXT_CONTENT_LIMIT;

/** What Kurultai says on a page when a task ends; undefined for write-backs that only change the status. */
export function commentFor(update: WriteBack): string | undefined {
  switch (update.kind) {
    case 'completed':
      return `Kurultai: ${update.agent} completed this task.\n\n${update.output}`;
    case 'failed':
      return `Kurultai: ${update.agent} could not complete this task.\n\nError: ${update.error}`;
    case 'in_progress':
      return undefined;
  }
}

/**
 * Splits text into Notion's rich text objects (2000 code units each, 100 at most). Longer text is cut, and the comment
 * says how much was left out, so a long answer never makes the write-back fail.
 */
export function commentRichText(text: string): CommentRichText {
  let body = text;
  if (body.length > COMMENT_TEXT_LIMIT) {
    const notice = (omitted: number) => `\n\n[… ${omitted} characters cut: Notion comments hold at most ${COMMENT_TEXT_LIMIT}.]`;
    // Room for the notice, and for one code unit per text object lost where a split may not cut an emoji in half.
    const room = COMMENT_TEXT_LIMIT - notice(text.length).length - RICH_TEXT_ARRAY_LIMIT;
    const head = splitText(body.slice(0, room + 1), room)[0] ?? '';
    body = head + notice(text.length - head.length);
  }
  return splitText(body).map((content) => ({ type: 'text', text: { content } }));
}
