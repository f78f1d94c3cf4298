import { describe, expect, it } from 'vitest';
import { COMMENT_TEXT_LIMIT, commentFor, commentRichText } from './comment-text.js';
import { RICH_TEXT_ARRAY_LIMIT, TEXT_CONTENT_LIMIT } from './notion-limits.js';

const contents = (text: string) => commentRichText(text).map((item) => item.text.content);

describe('comment text within Notion’s limits', () => {
  it('keeps a short answer in one text object', () => {
    expect(contents('All done.')).toEqual(['All done.']);
  });

  it('splits a long answer into text objects of at most 2000 code units that join back to the answer', () => {
    const answer = 'word '.repeat(1000);
    const pieces = contents(answer);
    expect({
      count: pieces.length,
      longest: Math.max(...pieces.map((p) => p.length)),
      joined: pieces.join('') === answer,
    }).toEqual({
      count: 3,
      longest: TEXT_CONTENT_LIMIT,
      joined: true,
    });
  });

  it('never cuts an emoji in half where it splits', () => {
    const answer = `x${'😀'.repeat(1500)}`;
    const pieces = contents(answer);
    const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    expect({ broken: pieces.some((piece) => loneSurrogate.test(piece)), joined: pieces.join('') === answer }).toEqual({
      broken: false,
      joined: true,
    });
  });

  it('cuts an answer longer than a comment holds and says how many characters were left out', () => {
    const answer = 'a'.repeat(COMMENT_TEXT_LIMIT + 5_000);
    const pieces = contents(answer);
    const text = pieces.join('');
    const omitted = Number(/\[… (\d+) characters cut/.exec(text)?.[1]);
    expect({
      objects: pieces.length <= RICH_TEXT_ARRAY_LIMIT,
      adds_up: text.indexOf('\n\n[…') + omitted === answer.length,
    }).toEqual({
      objects: true,
      adds_up: true,
    });
  });

  it('writes no comment for a task that has only started', () => {
    expect(commentFor({ kind: 'in_progress', taskId: 't', agent: 'a', attempt: 1 })).toBeUndefined();
  });
});
