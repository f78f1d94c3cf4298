import type {
  DataSourceObjectResponse,
  GetPagePropertyResponse,
  PageObjectResponse,
  PartialUserObjectResponse,
  UserObjectResponse,
} from '@notionhq/client';
import { PAGE_REFERENCE_LIMIT, PAGE_SIZE_LIMIT } from '../notion-limits.js';
import { validationError } from './fake-notion-error.js';
import type { FakeDate, FakeFile, StoredOption, StoredProperty, StoredValue } from './fake-notion-properties.js';
import { emptyValue } from './fake-notion-properties.js';
import { textItem } from './fake-notion-rich-text.js';

// What the API answers about properties: their configuration in a data source, their values in a page object (with
// Notion's 25-reference limit), and the property item endpoint that pages through the full value.

type PropertyConfig = DataSourceObjectResponse['properties'][string];
type PropertyValue = PageObjectResponse['properties'][string];

/** What answering a page's property needs to know about the page and the workspace. */
export interface PropertyContext {
  readonly pageId: string;
  readonly createdTime: Date;
  readonly lastEditedTime: Date;
  readonly createdBy: string;
  readonly lastEditedBy: string;
  /** The page's number in its data source, for unique ids. */
  readonly number: number;
  readonly user: (id: string) => PartialUserObjectResponse | UserObjectResponse;
  readonly now: () => Date;
}

const STATUS_GROUPS = ['To-do', 'In progress', 'Complete'] as const;

/**
 * The API's types lag behind the API: some property types it answers (button, verification, place, newer ones) are not in
 * the client's unions. The fake answers them as Notion does, and says so to the compiler here only.
 */
function asAnswered<T>(value: unknown): T {
  return value as T;
}

/** A property's configuration as a data source answers it (options and status groups, relation target, formula, ...). */
export function propertyConfig(
  property: StoredProperty,
  dataSource: { readonly id: string; readonly databaseId: string },
  siblings: readonly StoredProperty[],
): PropertyConfig {
  const common = { id: property.id, name: property.name, description: null };
  const options = property.options.map((option) => ({
    id: option.id,
    name: option.name,
    color: 'default' as const,
    description: null,
  }));
  const { schema } = property;
  switch (schema.type) {
    case 'status':
      return { ...common, type: 'status', status: { options, groups: statusGroups(property.options) } };
    case 'select':
    case 'multi_select':
      return asAnswered<PropertyConfig>({ ...common, type: schema.type, [schema.type]: { options } });
    case 'number':
      return { ...common, type: 'number', number: { format: 'number' } };
    case 'relation': {
      const target = { data_source_id: dataSource.id, database_id: dataSource.databaseId };
      return { ...common, type: 'relation', relation: { type: 'single_property', single_property: {}, ...target } };
    }
    case 'formula':
      return { ...common, type: 'formula', formula: { expression: schema.expression } };
    case 'rollup': {
      const relation = siblings.find((sibling) => sibling.name === schema.relation);
      return {
        ...common,
        type: 'rollup',
        rollup: {
          function: schema.function,
          relation_property_name: schema.relation,
          relation_property_id: relation?.id ?? '',
          rollup_property_name: 'Name',
          rollup_property_id: 'title',
        },
      };
    }
    case 'unique_id':
      return asAnswered<PropertyConfig>({ ...common, type: 'unique_id', unique_id: { prefix: schema.prefix } });
    case 'unreleased':
      return asAnswered<PropertyConfig>({ ...common, type: schema.apiType, [schema.apiType]: {} });
    default:
      return asAnswered<PropertyConfig>({ ...common, type: schema.type, [schema.type]: {} });
  }
}

/** Notion puts the first status option in To-do, the last in Complete and the rest in In progress. */
function statusGroups(options: readonly StoredOption[]) {
  const groupOf = (index: number) => (index === 0 ? 0 : index === options.length - 1 ? 2 : 1);
  return STATUS_GROUPS.map((name, group) => ({
    id: `group-${group}`,
    name,
    color: 'default' as const,
    option_ids: options.filter((_, index) => groupOf(index) === group).map((option) => option.id),
  }));
}

function dateAnswer(date: FakeDate | null) {
  return date === null ? null : { start: date.start, end: date.end ?? null, time_zone: date.timeZone ?? null };
}

/** Files uploaded to Notion are answered with a signed URL that expires within the hour, as S3 signs them. */
function fileAnswer(file: FakeFile, now: Date) {
  if (file.hosted === 'external') return { name: file.name, type: 'external', external: { url: file.url } };
  const expiry = new Date(now.getTime() + 3_600_000).toISOString();
  const signed = `${file.url}?X-Amz-Signature=${now.getTime().toString(16)}`;
  return { name: file.name, type: 'file', file: { url: signed, expiry_time: expiry } };
}

function formulaAnswer(result: StoredValue & { type: 'formula' }) {
  const value = result.result;
  if (typeof value === 'number') return { type: 'number', number: value };
  if (typeof value === 'boolean') return { type: 'boolean', boolean: value };
  if (value === null || typeof value === 'string') return { type: 'string', string: value };
  return { type: 'date', date: dateAnswer(value) };
}

function rollupAnswer(property: StoredProperty, stored: StoredValue & { type: 'rollup' }) {
  const fn = property.schema.type === 'rollup' ? property.schema.function : 'count';
  const value = stored.result;
  if (value === null || typeof value === 'number') return { type: 'number', number: value, function: fn };
  if (Array.isArray(value)) {
    const texts = value as readonly string[];
    return { type: 'array', array: texts.map((text) => ({ type: 'title', title: [textItem(text)] })), function: fn };
  }
  return { type: 'date', date: dateAnswer(value as FakeDate), function: fn };
}

/** The value of one property as the API answers it, whole: the page object cuts it, the property item endpoint pages it. */
function fullValue(property: StoredProperty, value: StoredValue | undefined, context: PropertyContext): Record<string, unknown> {
  const stored = value ?? emptyValue(property.schema);
  const { schema } = property;
  const option = (id: string | null) => {
    const found = property.options.find((o) => o.id === id);
    return found === undefined ? null : { id: found.id, name: found.name, color: 'default' as const };
  };
  switch (stored.type) {
    case 'title':
    case 'rich_text':
      return { [stored.type]: stored.texts.map(textItem) };
    case 'status':
    case 'select':
      return { [stored.type]: option(stored.optionId) };
    case 'multi_select':
      return { multi_select: stored.optionIds.flatMap((optionId) => option(optionId) ?? []) };
    case 'number':
      return { number: stored.number };
    case 'checkbox':
      return { checkbox: stored.checked };
    case 'url':
    case 'email':
    case 'phone_number':
      return { [stored.type]: stored.text };
    case 'date':
      return { date: dateAnswer(stored.date) };
    case 'people':
      return { people: stored.userIds.map(context.user) };
    case 'relation':
      return { relation: stored.pageIds.map((id) => ({ id })) };
    case 'files':
      return { files: stored.files.map((file) => fileAnswer(file, context.now())) };
    case 'formula':
      return { formula: formulaAnswer(stored) };
    case 'rollup':
      return { rollup: rollupAnswer(property, stored) };
    case 'verification': {
      const { state, since } = stored.verification;
      const verified = state !== 'unverified';
      return {
        verification: {
          state,
          date: verified && since !== null ? { start: since, end: null, time_zone: null } : null,
          verified_by: verified ? context.user(context.createdBy) : null,
        },
      };
    }
    case 'place':
      return { place: stored.place === null ? null : { ...stored.place, address: null, google_place_id: null } };
    case 'computed':
      return computedValue(schema, context);
  }
}

function computedValue(schema: StoredProperty['schema'], context: PropertyContext): Record<string, unknown> {
  switch (schema.type) {
    case 'created_time':
      return { created_time: context.createdTime.toISOString() };
    case 'last_edited_time':
      return { last_edited_time: context.lastEditedTime.toISOString() };
    case 'created_by':
      return { created_by: context.user(context.createdBy) };
    case 'last_edited_by':
      return { last_edited_by: context.user(context.lastEditedBy) };
    case 'unique_id':
      return { unique_id: { prefix: schema.prefix, number: context.number } };
    case 'unreleased':
      return { [schema.apiType]: schema.value };
    default:
      return { [schema.type]: {} };
  }
}

/** The type name the API answers for a property. */
function apiType(property: StoredProperty): string {
  return property.schema.type === 'unreleased' ? property.schema.apiType : property.schema.type;
}

/** A property's value in a page object: relations and people cut at 25 references, a relation saying so in `has_more`. */
export function propertyValue(property: StoredProperty, value: StoredValue | undefined, context: PropertyContext): PropertyValue {
  const type = apiType(property);
  const whole = fullValue(property, value, context);
  const references = whole[type];
  if ((type === 'relation' || type === 'people') && Array.isArray(references)) {
    const cut = references.slice(0, PAGE_REFERENCE_LIMIT);
    const relationMore = type === 'relation' ? { has_more: references.length > PAGE_REFERENCE_LIMIT } : {};
    return asAnswered<PropertyValue>({ id: property.id, type, [type]: cut, ...relationMore });
  }
  return asAnswered<PropertyValue>({ id: property.id, type, ...whole });
}

const PAGINATED_TYPES: ReadonlySet<string> = new Set(['title', 'rich_text', 'relation', 'people']);

/**
 * `GET /v1/pages/:id/properties/:property_id`: a simple property as one `property_item`; title, rich text, relation and
 * people as a paginated list of one item per text object or reference (the cursor is the next item's index, opaque to
 * callers); a rollup as a list carrying its whole value.
 */
export function propertyItem(
  property: StoredProperty,
  value: StoredValue | undefined,
  context: PropertyContext,
  query: URLSearchParams,
): GetPagePropertyResponse {
  const type = apiType(property);
  const whole = fullValue(property, value, context);
  if (!PAGINATED_TYPES.has(type) && type !== 'rollup') {
    return asAnswered<GetPagePropertyResponse>({ object: 'property_item', id: property.id, type, ...whole });
  }
  const items = type === 'rollup' ? [] : (whole[type] as readonly unknown[]);
  const pageSize = Number(query.get('page_size') ?? PAGE_SIZE_LIMIT);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > PAGE_SIZE_LIMIT) {
    throw validationError(`query.page_size should be a number between 1 and ${PAGE_SIZE_LIMIT}, instead was \`${query.get('page_size') ?? ''}\`.`);
  }
  const cursor = query.get('start_cursor');
  const start = cursor === null ? 0 : Number(cursor);
  if (!Number.isInteger(start) || start < 0 || start > items.length) {
    throw validationError(`query.start_cursor should be a valid cursor, instead was \`${cursor ?? ''}\`.`);
  }
  const end = start + pageSize;
  const hasMore = end < items.length;
  const nextUrl = hasMore ? `https://api.notion.com/v1/pages/${context.pageId}/properties/${encodeURIComponent(property.id)}?start_cursor=${end}` : null;
  return asAnswered<GetPagePropertyResponse>({
    object: 'list',
    results: items.slice(start, end).map((item) => ({ object: 'property_item', id: property.id, type, [type]: item })),
    next_cursor: hasMore ? String(end) : null,
    has_more: hasMore,
    type: 'property_item',
    property_item: { id: property.id, next_url: nextUrl, type, [type]: type === 'rollup' ? whole[type] : {} },
  });
}
