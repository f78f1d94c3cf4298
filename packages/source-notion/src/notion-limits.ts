/** Notion's limit on the content of one text object, in UTF-16 code units (JavaScript's `length`). */
export const TEXT_CONTENT_LIMIT = 2000;
/** Notion's limit on the number of objects in one rich text array. */
export const RICH_TEXT_ARRAY_LIMIT = 100;
/** A page object lists at most this many references (related pages, people) per property. */
export const PAGE_REFERENCE_LIMIT = 25;
/** The most results one query answers with. */
export const PAGE_SIZE_LIMIT = 100;

/**
 * Cuts text into pieces of at most `limit` UTF-16 code units without splitting a code point, so an emoji is never cut in
 * half into two invalid surrogates.
 */
export function splitText(text: string, limit: number = TEXT_CONTENT_LIMIT): string[] {
  const pieces: string[] = [];
  let piece = '';
  for (const codePoint of text) {
    if (piece.length + codePoint.length > limit) {
      pieces.push(piece);
      piece = '';
    }
    piece += codePoint;
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
}
