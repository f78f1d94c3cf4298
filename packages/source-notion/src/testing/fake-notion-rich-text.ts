import type { RichTextItemResponse } from '@notionhq/client';

/** One text object as Notion answers it: plain text with default annotations, no link. */
export function textItem(content: string): RichTextItemResponse {
  return {
    type: 'text',
    text: { content, link: null },
    annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' },
    plain_text: content,
    href: null,
  };
}
