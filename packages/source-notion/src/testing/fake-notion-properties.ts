import { randomUUID } from 'node:crypto';
import { RICH_TEXT_ARRAY_LIMIT, splitText, TEXT_CONTENT_LIMIT } from '../notion-limits.js';
import { validationError } from './fake-notion-error.js';

// Properties of the fake: their schemas, their stored values, and the conversions from what a person types and from what
// the API takes in an update (validated as Notion does). What the API answers is in fake-notion-property-values.ts.

/** A date as Notion holds it: ISO start, optional end, optional IANA time zone. */
export interface FakeDate {
  readonly start: string;
  readonly end?: string | null;
  readonly timeZone?: string | null;
}

/** A file in a files property: uploaded to Notion (answered with a signed, expiring URL) or an external link. */
export interface FakeFile {
  readonly name: string;
  readonly url: string;
  readonly hosted: 'notion' | 'external';
}

/** What a rollup shows: a number (count, sum, ...), a date (earliest, latest, ...), or the related values as text. */
export type FakeRollupResult = number | FakeDate | readonly string[] | null;

/** What a formula yields; the fake has no formula engine, so a test sets the result the expression would give. */
export type FakeFormulaResult = string | number | boolean | FakeDate | null;

/** The type names Notion's API uses for the properties the fake models, one per kind of value. */
type PlainTypes =
  | 'title'
  | 'rich_text'
  | 'number'
  | 'checkbox'
  | 'url'
  | 'email'
  | 'phone_number'
  | 'date'
  | 'people'
  | 'files'
  | 'verification'
  | 'place';
/** Property types whose value Notion computes or holds itself: nobody types into them, and they store nothing here. */
const SET_BY_NOTION = ['created_time', 'last_edited_time', 'created_by', 'last_edited_by', 'button', 'unique_id', 'unreleased'] as const;
type SetByNotionType = (typeof SET_BY_NOTION)[number];

/** A property of a fake database, as a person sets it up in Notion's UI. */
export type FakePropertySchema =
  | { readonly type: PlainTypes }
  | { readonly type: Exclude<SetByNotionType, 'unique_id' | 'unreleased'> }
  | { readonly type: 'status' | 'select' | 'multi_select'; readonly options: readonly string[] }
  /** Pages of the same data source: a task relates to tasks. */
  | { readonly type: 'relation' }
  | { readonly type: 'formula'; readonly expression: string }
  /** Rolls up the titles of the pages a relation property (named by `relation`) points at. */
  | { readonly type: 'rollup'; readonly function: 'count' | 'earliest_date' | 'show_original'; readonly relation: string }
  | { readonly type: 'unique_id'; readonly prefix: string | null }
  /** A property of a type newer than the client knows, answered as `{type: apiType, [apiType]: value}`. */
  | { readonly type: 'unreleased'; readonly apiType: string; readonly value: unknown };

/**
 * A value a person types into a property: text for title, rich text, url, email and phone number; an option name (or
 * null) for status and select; option names for multi-select; user ids for people; page ids for relation; a number, a
 * checkbox, a date, files; a formula's or rollup's result; a verification state.
 */
export type FakePropertyInput =
  | string
  | number
  | boolean
  | readonly string[]
  | FakeDate
  | readonly FakeFile[]
  | { readonly lat: number; readonly lon: number; readonly name: string }
  | null;

export interface StoredOption {
  readonly id: string;
  readonly name: string;
}

export interface StoredProperty {
  readonly id: string;
  readonly name: string;
  readonly schema: FakePropertySchema;
  readonly options: StoredOption[];
}

export type StoredVerification = { readonly state: 'verified' | 'expired' | 'unverified'; readonly since: string | null };

/** A stored value; computed properties (times, authors, buttons, unique ids) store nothing and are answered from the page. */
export type StoredValue =
  | { readonly type: 'title' | 'rich_text'; readonly texts: readonly string[] }
  | { readonly type: 'status' | 'select'; readonly optionId: string | null }
  | { readonly type: 'multi_select'; readonly optionIds: readonly string[] }
  | { readonly type: 'number'; readonly number: number | null }
  | { readonly type: 'checkbox'; readonly checked: boolean }
  | { readonly type: 'url' | 'email' | 'phone_number'; readonly text: string | null }
  | { readonly type: 'date'; readonly date: FakeDate | null }
  | { readonly type: 'people'; readonly userIds: readonly string[] }
  | { readonly type: 'relation'; readonly pageIds: readonly string[] }
  | { readonly type: 'files'; readonly files: readonly FakeFile[] }
  | { readonly type: 'formula'; readonly result: FakeFormulaResult }
  | { readonly type: 'rollup'; readonly result: FakeRollupResult }
  | { readonly type: 'verification'; readonly verification: StoredVerification }
  | { readonly type: 'place'; readonly place: { readonly lat: number; readonly lon: number; readonly name: string } | null }
  | { readonly type: 'computed' };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFakeDate(value: unknown): value is FakeDate {
  return isRecord(value) && typeof value['start'] === 'string';
}

type SetByNotion = Extract<FakePropertySchema, { type: SetByNotionType }>;

function isSetByNotion(schema: FakePropertySchema): schema is SetByNotion {
  return (SET_BY_NOTION as readonly string[]).includes(schema.type);
}

export function emptyValue(schema: FakePropertySchema): StoredValue {
  if (isSetByNotion(schema)) return { type: 'computed' };
  switch (schema.type) {
    case 'title':
    case 'rich_text':
      return { type: schema.type, texts: [] };
    case 'status':
    case 'select':
      return { type: schema.type, optionId: null };
    case 'multi_select':
      return { type: 'multi_select', optionIds: [] };
    case 'number':
      return { type: 'number', number: null };
    case 'checkbox':
      return { type: 'checkbox', checked: false };
    case 'url':
    case 'email':
    case 'phone_number':
      return { type: schema.type, text: null };
    case 'date':
      return { type: 'date', date: null };
    case 'people':
      return { type: 'people', userIds: [] };
    case 'relation':
      return { type: 'relation', pageIds: [] };
    case 'files':
      return { type: 'files', files: [] };
    case 'formula':
      return { type: 'formula', result: null };
    case 'rollup':
      return { type: 'rollup', result: schema.function === 'show_original' ? [] : null };
    case 'verification':
      return { type: 'verification', verification: { state: 'unverified', since: null } };
    case 'place':
      return { type: 'place', place: null };
  }
}

function stringList(property: StoredProperty, input: FakePropertyInput, what: string): readonly string[] {
  if (!Array.isArray(input) || !input.every((item: unknown) => typeof item === 'string')) {
    throw new Error(`${property.name} takes a list of ${what}`);
  }
  return input as readonly string[];
}

/** What a person typed, stored. Test set-up errors are plain errors: they are bugs in the test, not API answers. */
export function typedValue(property: StoredProperty, input: FakePropertyInput): StoredValue {
  const { schema, name } = property;
  if (isSetByNotion(schema)) throw new Error(`${name} is a ${schema.type} property: Notion sets it, nobody types into it`);
  const optionNamed = (option: string): string => {
    const found = property.options.find((o) => o.name === option);
    if (found !== undefined) return found.id;
    // Typing a new name into a select adds the option, as in Notion's UI; status options are only made in the schema.
    if (schema.type === 'status') throw new Error(`${name} has no status option ${option}`);
    const created = { id: randomUUID(), name: option };
    property.options.push(created);
    return created.id;
  };
  switch (schema.type) {
    case 'title':
    case 'rich_text':
      if (typeof input !== 'string') throw new Error(`${name} takes text`);
      return { type: schema.type, texts: splitText(input) };
    case 'url':
    case 'email':
    case 'phone_number':
      if (input !== null && typeof input !== 'string') throw new Error(`${name} takes text or null`);
      return { type: schema.type, text: input };
    case 'status':
    case 'select':
      if (input !== null && typeof input !== 'string') throw new Error(`${name} takes an option name or null`);
      return { type: schema.type, optionId: input === null ? null : optionNamed(input) };
    case 'multi_select':
      return { type: 'multi_select', optionIds: stringList(property, input, 'option names').map(optionNamed) };
    case 'number':
      if (input !== null && typeof input !== 'number') throw new Error(`${name} takes a number`);
      return { type: 'number', number: input };
    case 'checkbox':
      if (typeof input !== 'boolean') throw new Error(`${name} takes true or false`);
      return { type: 'checkbox', checked: input };
    case 'date':
      if (input !== null && !isFakeDate(input)) throw new Error(`${name} takes a date or null`);
      return { type: 'date', date: input };
    case 'people':
      return { type: 'people', userIds: stringList(property, input, 'user ids') };
    case 'relation':
      return { type: 'relation', pageIds: stringList(property, input, 'page ids') };
    case 'files':
      if (!Array.isArray(input) || !input.every((item: unknown) => isRecord(item) && typeof item['url'] === 'string')) {
        throw new Error(`${name} takes a list of files`);
      }
      return { type: 'files', files: input as readonly FakeFile[] };
    case 'formula':
      if (input !== null && typeof input === 'object' && !isFakeDate(input)) throw new Error(`${name} takes a formula result`);
      return { type: 'formula', result: input };
    case 'rollup':
      if (!(input === null || typeof input === 'number' || isFakeDate(input) || Array.isArray(input))) {
        throw new Error(`${name} takes a number, a date or a list of texts`);
      }
      return { type: 'rollup', result: input as FakeRollupResult };
    case 'verification':
      if (input !== 'verified' && input !== 'expired' && input !== 'unverified') {
        throw new Error(`${name} takes verified, expired or unverified`);
      }
      return {
        type: 'verification',
        verification: { state: input, since: input === 'unverified' ? null : new Date().toISOString() },
      };
    case 'place':
      if (input !== null && !(isRecord(input) && typeof input['lat'] === 'number')) {
        throw new Error(`${name} takes a place or null`);
      }
      return { type: 'place', place: input as { lat: number; lon: number; name: string } | null };
  }
}

/** Contents of a rich text request array, with Notion's length limits and its way of naming the failing field. */
export function richTextContents(value: unknown, path: string): string[] {
  if (!Array.isArray(value)) throw validationError(`${path} should be an array, instead was \`${JSON.stringify(value)}\`.`);
  if (value.length > RICH_TEXT_ARRAY_LIMIT) {
    throw validationError(`${path}.length should be ≤ \`${RICH_TEXT_ARRAY_LIMIT}\`, instead was \`${value.length}\`.`);
  }
  return value.map((item: unknown, index) => {
    const text = isRecord(item) ? item['text'] : undefined;
    const content = isRecord(text) ? text['content'] : undefined;
    if (typeof content !== 'string') throw validationError(`${path}[${index}].text.content should be a string.`);
    if (content.length > TEXT_CONTENT_LIMIT) {
      throw validationError(
        `${path}[${index}].text.content.length should be ≤ \`${TEXT_CONTENT_LIMIT}\`, instead was \`${content.length}\`.`,
      );
    }
    return content;
  });
}

function idList(value: unknown, path: string): string[] {
  if (!Array.isArray(value)) throw validationError(`${path} should be an array.`);
  return value.map((item: unknown, index) => {
    const id = isRecord(item) ? item['id'] : undefined;
    if (typeof id !== 'string') throw validationError(`${path}[${index}].id should be a string.`);
    return id;
  });
}

/** A property value in an update request, validated like Notion: the type must match, a status option must exist. */
export function apiValue(property: StoredProperty, value: unknown): StoredValue {
  const { schema, name } = property;
  const field = isRecord(value) ? value[schema.type] : undefined;
  if (!isRecord(value) || !(schema.type in value)) {
    throw validationError(`${name} is expected to be ${schema.type}.`);
  }
  const optionFor = (request: unknown): string => {
    const wanted = isRecord(request) ? request : {};
    const option = property.options.find((o) => o.name === wanted['name'] || o.id === wanted['id']);
    if (option !== undefined) return option.id;
    if (schema.type === 'status') {
      throw validationError(`Invalid status option. Status option "${String(wanted['name'] ?? wanted['id'])}" does not exist.`);
    }
    // Notion creates a missing select option on write, when the integration may edit the schema.
    if (typeof wanted['name'] !== 'string') throw validationError(`${name}: an option needs a name or an id.`);
    if (wanted['name'].includes(',')) throw validationError(`Invalid select option, commas not allowed: ${wanted['name']}`);
    const created = { id: randomUUID(), name: wanted['name'] };
    property.options.push(created);
    return created.id;
  };
  const path = `body.properties.${name}.${schema.type}`;
  switch (schema.type) {
    case 'title':
    case 'rich_text':
      return { type: schema.type, texts: richTextContents(field, path) };
    case 'url':
    case 'email':
    case 'phone_number':
      if (field !== null && typeof field !== 'string') throw validationError(`${path} should be a string or \`null\`.`);
      return { type: schema.type, text: field };
    case 'status':
    case 'select':
      return { type: schema.type, optionId: field === null ? null : optionFor(field) };
    case 'multi_select':
      if (!Array.isArray(field)) throw validationError(`${name}.multi_select should be an array.`);
      return { type: 'multi_select', optionIds: field.map((item: unknown) => optionFor(item)) };
    case 'number':
      if (field !== null && typeof field !== 'number') throw validationError(`${name}.number should be a number.`);
      return { type: 'number', number: field };
    case 'checkbox':
      if (typeof field !== 'boolean') throw validationError(`${name}.checkbox should be a boolean.`);
      return { type: 'checkbox', checked: field };
    case 'date': {
      if (field === null) return { type: 'date', date: null };
      if (!isRecord(field) || typeof field['start'] !== 'string') throw validationError(`${path}.start should be a string.`);
      const { start, end, time_zone: timeZone } = field;
      return {
        type: 'date',
        date: { start, end: typeof end === 'string' ? end : null, timeZone: typeof timeZone === 'string' ? timeZone : null },
      };
    }
    case 'people':
      return { type: 'people', userIds: idList(field, path) };
    case 'relation':
      return { type: 'relation', pageIds: idList(field, path) };
    case 'files':
    case 'verification':
    case 'place':
      throw validationError(`${name}: the fake does not take updates of ${schema.type} properties.`);
    default:
      // Formulas, rollups, times, authors, unique ids and buttons are Notion's to compute.
      throw validationError(`${name} is a ${schema.type} property, which the API cannot update.`);
  }
}
