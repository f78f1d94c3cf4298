import type { Logger } from '@kurultai/core';
import { APIErrorCode, isNotionClientError, type Client, type PageObjectResponse, type PropertyItemObjectResponse } from '@notionhq/client';
import { PAGE_REFERENCE_LIMIT, PAGE_SIZE_LIMIT } from './notion-limits.js';
import type { RequestScheduler } from './request-scheduler.js';

type PropertyValue = PageObjectResponse['properties'][string];

/**
 * Whether Notion cut a property's value in the page object: a relation says so in `has_more` (which the client's types
 * leave out); a people list does not say, so one at the limit may be cut.
 */
function isCut(value: PropertyValue): boolean {
  if (value.type === 'relation') return 'has_more' in value && value.has_more === true;
  return value.type === 'people' && value.people.length >= PAGE_REFERENCE_LIMIT;
}

/** The whole value of a relation or people property, read page by page from the property item endpoint. */
async function readWhole(
  client: Client,
  scheduler: RequestScheduler,
  pageId: string,
  value: PropertyValue,
  signal: AbortSignal,
): Promise<PropertyValue> {
  const items: PropertyItemObjectResponse[] = [];
  let cursor: string | undefined;
  do {
    const startCursor = cursor;
    const answer = await scheduler.run(
      'pages.properties.retrieve',
      () =>
        client.pages.properties.retrieve({
          page_id: pageId,
          property_id: value.id,
          page_size: PAGE_SIZE_LIMIT,
          ...(startCursor === undefined ? {} : { start_cursor: startCursor }),
        }),
      signal,
    );
    if (answer.object !== 'list') return value;
    items.push(...answer.results);
    cursor = answer.has_more ? (answer.next_cursor ?? undefined) : undefined;
  } while (cursor !== undefined);
  if (value.type === 'relation') {
    const relation = items.flatMap((item) => (item.type === 'relation' ? [item.relation] : []));
    return { id: value.id, type: 'relation', relation };
  }
  return { id: value.id, type: 'people', people: items.flatMap((item) => (item.type === 'people' ? [item.people] : [])) };
}

export interface WholeReferencesOptions {
  readonly client: Client;
  readonly scheduler: RequestScheduler;
  readonly logger: Logger;
}

/**
 * The page with its relation and people properties whole: Notion cuts them at 25 references in a page object, and a rule
 * reading "related to page X" must not miss X because it came 26th. Costs requests only for the cut properties. A
 * property Notion no longer finds (deleted since the query) keeps the references the page listed, with a warning.
 */
export async function withWholeReferences(
  { client, scheduler, logger }: WholeReferencesOptions,
  page: PageObjectResponse,
  signal: AbortSignal,
): Promise<PageObjectResponse> {
  const cut = Object.entries(page.properties).filter(([, value]) => isCut(value));
  if (cut.length === 0) return page;
  const properties = { ...page.properties };
  for (const [name, value] of cut) {
    try {
      properties[name] = await readWhole(client, scheduler, page.id, value, signal);
    } catch (error) {
      if (!isNotionClientError(error) || error.code !== APIErrorCode.ObjectNotFound) throw error;
      logger.warn('kept the first references of a Notion property that could not be read whole', {
        taskId: page.id,
        property: name,
        reason: error.message,
      });
    }
  }
  return { ...page, properties };
}
