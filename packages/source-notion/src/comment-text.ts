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
 * says how much was left out, so a long answer never makes the write-back fail. A `marker` (see `commentMarker`) is
 * appended as a text object of its own, kept whatever the cut.
 */
export function commentRichText(text: string, marker?: string): CommentRichText {
  const objects = marker === undefined ? RICH_TEXT_ARRAY_LIMIT : RICH_TEXT_ARRAY_LIMIT - 1;
  const limit = objects * TEXT_CONTENT_LIMIT;
  let body = text;
  if (body.length > limit) {
    const notice = (omitted: number) => `\n\n[… ${omitted} characters cut: Notion comments hold at most ${COMMENT_TEXT_LIMIT}.]`;
    // Room for the notice, and for one code unit per text object lost where a split may not cut an emoji in half.
    const room = limit - notice(text.length).length - objects;
    const head = splitText(body.slice(0, room + 1), room)[0] ?? '';
    body = head + notice(text.length - head.length);
  }
  const pieces = marker === undefined ? splitText(body) : [...splitText(body), marker];
  return pieces.map((content) => ({ type: 'text', text: { content } }));
}

const MARKER_PREFIX = '[kurultai:';

/**
 * The mark a comment write-back leaves at the end of its comment: it carries the write-back's idempotency digest, so a
 * source started again can see on the page that this comment was already posted.
 */
export function commentMarker(digest: string): string {
  return `\n\n${MARKER_PREFIX}${digest}]`;
}

/** Whether a line of the comment log is a marker this source noted there (a person may write other lines). */
export function isMarkerLine(line: string): boolean {
  return line.startsWith(MARKER_PREFIX);
}

/** Whether a comment's plain text carries the given marker. */
export function carriesMarker(plainText: string, marker: string): boolean {
  return plainText.endsWith(marker);
}
