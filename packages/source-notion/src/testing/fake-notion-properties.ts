import { randomUUID } from 'node:crypto';
import type { DataSourceObjectResponse, PageObjectResponse } from '@notionhq/client';
import { RICH_TEXT_ARRAY_LIMIT, splitText, TEXT_CONTENT_LIMIT } from '../notion-limits.js';
import { validationError } from './fake-notion-error.js';
import { textItem } from './fake-notion-rich-text.js';

// Properties of the fake: their schemas, their stored values, and the conversions between what a person types, what the
// API takes in an update (validated as Notion does), and what it answers.

/** A property of a fake database, as a person sets it up in Notion's UI. */
export type FakePropertySchema =
  | { readonly type: 'title' }
  | { readonly type: 'rich_text' }
  | { readonly type: 'status'; readonly options: readonly string[] }
  | { readonly type: 'select'; readonly options: readonly string[] }
  | { readonly type: 'multi_select'; readonly options: readonly string[] }
  | { readonly type: 'number' }
  | { readonly type: 'checkbox' };

/**
 * A value a person types into a property: text for title and rich text, an option name (or null) for status and
 * select, option names for multi-select, a number, a checkbox.
 */
export type FakePropertyInput = string | number | boolean | readonly string[] | null;

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

export type StoredValue =
  | { readonly type: 'title' | 'rich_text'; readonly texts: readonly string[] }
  | { readonly type: 'status' | 'select'; readonly optionId: string | null }
  | { readonly type: 'multi_select'; readonly optionIds: readonly string[] }
  | { readonly type: 'number'; readonly number: number | null }
  | { readonly type: 'checkbox'; readonly checked: boolean };

const STATUS_GROUPS = ['To-do', 'In progress', 'Complete'] as const;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function emptyValue(schema: FakePropertySchema): StoredValue {
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
  }
}

/** What a person typed, stored. Test set-up errors are plain errors: they are bugs in the test, not API answers. */
export function typedValue(property: StoredProperty, input: FakePropertyInput): StoredValue {
  const { schema } = property;
  const optionNamed = (name: string): string => {
    const option = property.options.find((o) => o.name === name);
    if (option !== undefined) return option.id;
    // Typing a new name into a select adds the option, as in Notion's UI; status options are only made in the schema.
    if (schema.type === 'status') throw new Error(`${property.name} has no status option ${name}`);
    const created = { id: randomUUID(), name };
    property.options.push(created);
    return created.id;
  };
  switch (schema.type) {
    case 'title':
    case 'rich_text':
      if (typeof input !== 'string') throw new Error(`${property.name} takes text`);
      return { type: schema.type, texts: splitText(input) };
    case 'status':
    case 'select':
      if (input !== null && typeof input !== 'string') throw new Error(`${property.name} takes an option name or null`);
      return { type: schema.type, optionId: input === null ? null : optionNamed(input) };
    case 'multi_select':
      if (!Array.isArray(input)) throw new Error(`${property.name} takes a list of option names`);
      return { type: 'multi_select', optionIds: input.map((name: string) => optionNamed(name)) };
    case 'number':
      if (input !== null && typeof input !== 'number') throw new Error(`${property.name} takes a number`);
      return { type: 'number', number: input };
    case 'checkbox':
      if (typeof input !== 'boolean') throw new Error(`${property.name} takes true or false`);
      return { type: 'checkbox', checked: input };
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
    const created = { id: randomUUID(), name: wanted['name'] };
    property.options.push(created);
    return created.id;
  };
  switch (schema.type) {
    case 'title':
    case 'rich_text':
      return { type: schema.type, texts: richTextContents(field, `body.properties.${name}.${schema.type}`) };
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
  }
}

export function propertyConfig(property: StoredProperty): DataSourceObjectResponse['properties'][string] {
  const common = { id: property.id, name: property.name, description: null };
  const options = property.options.map((option) => ({
    id: option.id,
    name: option.name,
    color: 'default' as const,
    description: null,
  }));
  switch (property.schema.type) {
    case 'title':
      return { ...common, type: 'title', title: {} };
    case 'rich_text':
      return { ...common, type: 'rich_text', rich_text: {} };
    case 'status':
      return { ...common, type: 'status', status: { options, groups: statusGroups(property.options) } };
    case 'select':
      return { ...common, type: 'select', select: { options } };
    case 'multi_select':
      return { ...common, type: 'multi_select', multi_select: { options } };
    case 'number':
      return { ...common, type: 'number', number: { format: 'number' } };
    case 'checkbox':
      return { ...common, type: 'checkbox', checkbox: {} };
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

export function propertyValue(
  property: StoredProperty,
  value: StoredValue | undefined,
): PageObjectResponse['properties'][string] {
  const stored = value ?? emptyValue(property.schema);
  const option = (id: string | null) => {
    const found = property.options.find((o) => o.id === id);
    return found === undefined ? null : { id: found.id, name: found.name, color: 'default' as const };
  };
  const id = property.id;
  switch (stored.type) {
    case 'title':
      return { id, type: 'title', title: stored.texts.map(textItem) };
    case 'rich_text':
      return { id, type: 'rich_text', rich_text: stored.texts.map(textItem) };
    case 'status':
      return { id, type: 'status', status: option(stored.optionId) };
    case 'select':
      return { id, type: 'select', select: option(stored.optionId) };
    case 'multi_select':
      return {
        id,
        type: 'multi_select',
        multi_select: stored.optionIds.flatMap((optionId) => option(optionId) ?? []),
      };
    case 'number':
      return { id, type: 'number', number: stored.number };
    case 'checkbox':
      return { id, type: 'checkbox', checkbox: stored.checked };
  }
}
