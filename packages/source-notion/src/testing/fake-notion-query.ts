import type { DataSourceObjectResponse, PageObjectResponse, QueryDataSourceResponse } from '@notionhq/client';
import { PAGE_SIZE_LIMIT } from '../notion-limits.js';
import { validationError } from './fake-notion-error.js';

type PropertyValue = PageObjectResponse['properties'][string];
type Json = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `POST /v1/data_sources/:id/query`: filters (timestamps, property conditions, `and`/`or`), sorts and cursors, as Notion
 * evaluates them. The cursor is the id of the next page, as in Notion's answers; it stays valid while that page still
 * matches the filter.
 */
export function queryPages(
  dataSource: DataSourceObjectResponse,
  pages: readonly PageObjectResponse[],
  body: Json,
): QueryDataSourceResponse {
  const pageSize = body['page_size'] ?? PAGE_SIZE_LIMIT;
  if (typeof pageSize !== 'number' || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > PAGE_SIZE_LIMIT) {
    throw validationError(
      `body.page_size should be a number between 1 and ${PAGE_SIZE_LIMIT}, instead was \`${String(pageSize)}\`.`,
    );
  }
  const filter = body['filter'];
  const matching = filter === undefined ? [...pages] : pages.filter((page) => matches(dataSource, page, filter, 'body.filter'));
  const sorted = sortPages(dataSource, matching, body['sorts']);
  let start = 0;
  const cursor = body['start_cursor'];
  if (cursor !== undefined) {
    start = sorted.findIndex((page) => page.id === cursor);
    if (start === -1) throw validationError(`body.start_cursor should be a valid cursor, instead was \`${String(cursor)}\`.`);
  }
  const results = sorted.slice(start, start + pageSize);
  const next = sorted[start + pageSize];
  return {
    object: 'list',
    type: 'page_or_data_source',
    page_or_data_source: {},
    results,
    has_more: next !== undefined,
    next_cursor: next === undefined ? null : next.id,
  };
}

function matches(dataSource: DataSourceObjectResponse, page: PageObjectResponse, filter: unknown, path: string): boolean {
  if (!isRecord(filter)) throw validationError(`${path} should be an object.`);
  const and = filter['and'];
  if (and !== undefined) return listOf(and, `${path}.and`).every((f, i) => matches(dataSource, page, f, `${path}.and[${i}]`));
  const or = filter['or'];
  if (or !== undefined) return listOf(or, `${path}.or`).some((f, i) => matches(dataSource, page, f, `${path}.or[${i}]`));
  const timestamp = filter['timestamp'];
  if (timestamp === 'last_edited_time' || timestamp === 'created_time') {
    return compareTime(page[timestamp], filter[timestamp], `${path}.${timestamp}`);
  }
  const name = filter['property'];
  if (typeof name !== 'string') throw validationError(`${path} should have a \`property\`, \`timestamp\`, \`and\` or \`or\`.`);
  return matchesProperty(propertyOf(dataSource, page, name), filter, path);
}

function listOf(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) throw validationError(`${path} should be an array.`);
  return value;
}

function propertyOf(dataSource: DataSourceObjectResponse, page: PageObjectResponse, name: string): PropertyValue {
  const config = Object.values(dataSource.properties).find((property) => property.name === name || property.id === name);
  const value = config === undefined ? undefined : page.properties[config.name];
  if (value === undefined) throw validationError(`Could not find property with name or id: ${name}`);
  return value;
}

function compareTime(iso: string, condition: unknown, path: string): boolean {
  if (!isRecord(condition)) throw validationError(`${path} should be an object.`);
  const [[operator, operand] = []] = Object.entries(condition);
  const value = Date.parse(iso);
  const other = typeof operand === 'string' ? Date.parse(operand) : Number.NaN;
  if (Number.isNaN(other)) throw validationError(`${path}.${String(operator)} should be an ISO 8601 date.`);
  switch (operator) {
    case 'equals':
      return value === other;
    case 'before':
      return value < other;
    case 'after':
      return value > other;
    case 'on_or_before':
      return value <= other;
    case 'on_or_after':
      return value >= other;
    default:
      throw validationError(`${path}.${String(operator)} is not a supported date condition.`);
  }
}

function plainText(value: PropertyValue): string | undefined {
  if (value.type === 'title') return value.title.map((item) => item.plain_text).join('');
  if (value.type === 'rich_text') return value.rich_text.map((item) => item.plain_text).join('');
  return undefined;
}

function optionNames(value: PropertyValue): readonly string[] | undefined {
  if (value.type === 'status') return value.status === null ? [] : [value.status.name];
  if (value.type === 'select') return value.select === null ? [] : [value.select.name];
  if (value.type === 'multi_select') return value.multi_select.map((option) => option.name);
  return undefined;
}

function matchesProperty(value: PropertyValue, filter: Json, path: string): boolean {
  const condition = filter[value.type];
  if (!isRecord(condition)) {
    throw validationError(
      `${path}: property ${String(filter['property'])} is of type ${value.type}, filter with \`${value.type}\`.`,
    );
  }
  const [[operator, operand] = []] = Object.entries(condition);
  const text = plainText(value);
  if (text !== undefined) return compareText(text, String(operator), operand, `${path}.${value.type}`);
  const names = optionNames(value);
  if (names !== undefined)
    return compareOptions(names, value.type === 'multi_select', String(operator), operand, `${path}.${value.type}`);
  if (value.type === 'number') return compareNumber(value.number, String(operator), operand, `${path}.number`);
  if (value.type === 'checkbox') {
    if (operator === 'equals') return value.checkbox === operand;
    if (operator === 'does_not_equal') return value.checkbox !== operand;
  }
  throw validationError(`${path}.${value.type}.${String(operator)} is not supported by the fake.`);
}

function compareText(text: string, operator: string, operand: unknown, path: string): boolean {
  if (operator === 'is_empty') return text === '';
  if (operator === 'is_not_empty') return text !== '';
  if (typeof operand !== 'string') throw validationError(`${path}.${operator} should be a string.`);
  switch (operator) {
    case 'equals':
      return text === operand;
    case 'does_not_equal':
      return text !== operand;
    case 'contains':
      return text.toLowerCase().includes(operand.toLowerCase());
    case 'does_not_contain':
      return !text.toLowerCase().includes(operand.toLowerCase());
    case 'starts_with':
      return text.startsWith(operand);
    case 'ends_with':
      return text.endsWith(operand);
    default:
      throw validationError(`${path}.${operator} is not a text condition.`);
  }
}

function compareOptions(names: readonly string[], multi: boolean, operator: string, operand: unknown, path: string): boolean {
  if (operator === 'is_empty') return names.length === 0;
  if (operator === 'is_not_empty') return names.length > 0;
  if (typeof operand !== 'string') throw validationError(`${path}.${operator} should be a string.`);
  const single = multi ? ['contains', 'does_not_contain'] : ['equals', 'does_not_equal'];
  if (operator === single[0]) return names.includes(operand);
  if (operator === single[1]) return !names.includes(operand);
  throw validationError(`${path}.${operator} is not a condition of this property type.`);
}

function compareNumber(number: number | null, operator: string, operand: unknown, path: string): boolean {
  if (operator === 'is_empty') return number === null;
  if (operator === 'is_not_empty') return number !== null;
  if (typeof operand !== 'number') throw validationError(`${path}.${operator} should be a number.`);
  if (number === null) return false;
  const comparisons: Readonly<Record<string, boolean>> = {
    equals: number === operand,
    does_not_equal: number !== operand,
    greater_than: number > operand,
    less_than: number < operand,
    greater_than_or_equal_to: number >= operand,
    less_than_or_equal_to: number <= operand,
  };
  const result = comparisons[operator];
  if (result === undefined) throw validationError(`${path}.${operator} is not a number condition.`);
  return result;
}

/** Sorts by each key in turn; pages equal on every key keep creation order, newest first, as Notion's default view. */
function sortPages(dataSource: DataSourceObjectResponse, pages: PageObjectResponse[], sorts: unknown): PageObjectResponse[] {
  const keys = sorts === undefined ? [] : listOf(sorts, 'body.sorts');
  const comparators = keys.map((key, index) => {
    if (!isRecord(key)) throw validationError(`body.sorts[${index}] should be an object.`);
    const direction = key['direction'] === 'descending' ? -1 : 1;
    const timestamp = key['timestamp'];
    if (timestamp === 'last_edited_time' || timestamp === 'created_time') {
      return (a: PageObjectResponse, b: PageObjectResponse) => direction * (Date.parse(a[timestamp]) - Date.parse(b[timestamp]));
    }
    const name = key['property'];
    if (typeof name !== 'string') throw validationError(`body.sorts[${index}] should have a \`property\` or a \`timestamp\`.`);
    const sortKey = (page: PageObjectResponse): string | number => {
      const value = propertyOf(dataSource, page, name);
      if (value.type === 'number') return value.number ?? Number.NEGATIVE_INFINITY;
      return plainText(value) ?? optionNames(value)?.join(',') ?? '';
    };
    return (a: PageObjectResponse, b: PageObjectResponse) => {
      const [x, y] = [sortKey(a), sortKey(b)];
      return direction * (x < y ? -1 : x > y ? 1 : 0);
    };
  });
  const creationOrder = new Map(pages.map((page, index) => [page.id, index]));
  return pages.sort((a, b) => {
    for (const compare of comparators) {
      const order = compare(a, b);
      if (order !== 0) return order;
    }
    return (creationOrder.get(b.id) ?? 0) - (creationOrder.get(a.id) ?? 0);
  });
}
