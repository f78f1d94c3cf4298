import type { Priority, TaskInput } from '@kurultai/core';
import type { PageObjectResponse } from '@notionhq/client';
import type { NotionSourceOptions } from './notion-source-options.js';
import { plainText, readPageProperties, type SkippedProperty } from './page-properties.js';

type PropertyValue = PageObjectResponse['properties'][string];

/** A page read as a task (with the page properties it left out), or the reason it is not one. */
export type PageReading =
  | { readonly kind: 'task'; readonly task: TaskInput; readonly skippedProperties: readonly SkippedProperty[] }
  | { readonly kind: 'skipped'; readonly reason: string };

/**
 * The source's own fields in `task.properties`; a page property whose key is one of these is not read under it. The
 * mapped priority's option name is one too when a priority property is mapped; otherwise a page's "Priority" takes the key.
 */
function ownFields(mapping: TaskMapping): ReadonlySet<string> {
  const fields = ['url', 'status', 'createdTime', 'lastEditedTime'];
  return new Set(mapping.properties.priority === undefined ? fields : [...fields, 'priority']);
}

/** What the mapping needs from the options. */
export type TaskMapping = Pick<NotionSourceOptions, 'name' | 'properties' | 'priorities' | 'emptyTitle'>;

export const UNTITLED = '(untitled)';

/** The plain text of a title or rich text property; undefined for other types. */
export function textOf(value: PropertyValue | undefined): string | undefined {
  if (value?.type === 'title') return plainText(value.title);
  if (value?.type === 'rich_text') return plainText(value.rich_text);
  return undefined;
}

/** The chosen option names of a status, select or multi-select property. */
export function optionsOf(value: PropertyValue | undefined): readonly string[] {
  if (value?.type === 'status') return value.status === null ? [] : [value.status.name];
  if (value?.type === 'select') return value.select === null ? [] : [value.select.name];
  if (value?.type === 'multi_select') return value.multi_select.map((option) => option.name);
  return [];
}

export function statusOf(page: PageObjectResponse, statusProperty: string): string | undefined {
  return optionsOf(page.properties[statusProperty])[0];
}

function propertyOf(page: PageObjectResponse, name: string | undefined): PropertyValue | undefined {
  return name === undefined ? undefined : page.properties[name];
}

/** The agent named in the page's agent property (a select's option, or text), if one is mapped and set. */
export function agentOf(page: PageObjectResponse, agentProperty: string | undefined): string | undefined {
  const value = propertyOf(page, agentProperty);
  const name = (textOf(value) ?? optionsOf(value)[0])?.trim();
  return name === '' ? undefined : name;
}

/**
 * Reads a page as a task. Everything read from the page is untrusted text and is passed on as written (emoji and all); a
 * page that cannot make a task (in the trash, no title) is skipped with a reason for the log. Every page property the
 * mapping does not already read into the task's fields goes into `task.properties` under its `propertyKey` (see
 * `readPageProperties`), next to the source's own fields.
 */
export function pageToTask(page: PageObjectResponse, mapping: TaskMapping): PageReading {
  if (page.in_trash) return { kind: 'skipped', reason: 'the page is in the trash' };
  const titleValue = propertyOf(page, mapping.properties.title);
  const rawTitle = textOf(titleValue);
  if (rawTitle === undefined) return { kind: 'skipped', reason: `the page has no title property "${mapping.properties.title}"` };
  let title = rawTitle.trim();
  if (title === '') {
    if (mapping.emptyTitle === 'skip') return { kind: 'skipped', reason: 'the title is empty' };
    title = UNTITLED;
  }
  const status = statusOf(page, mapping.properties.status);
  const description = textOf(propertyOf(page, mapping.properties.description))?.trim();
  const priorityName = optionsOf(propertyOf(page, mapping.properties.priority))[0];
  const priority: Priority | undefined = priorityName === undefined ? undefined : mapping.priorities[priorityName];
  const tags = optionsOf(propertyOf(page, mapping.properties.tags));
  const agent = agentOf(page, mapping.properties.agent);
  const mappedNames = new Set(Object.values(mapping.properties).filter((name) => name !== undefined));
  const { facts, skipped } = readPageProperties(page.properties, { reservedKeys: ownFields(mapping), mappedNames });
  return {
    kind: 'task',
    skippedProperties: skipped,
    task: {
      id: page.id,
      title,
      source: mapping.name,
      ...(description === undefined || description === '' ? {} : { description }),
      ...(priority === undefined ? {} : { priority }),
      ...(tags.length === 0 ? {} : { tags }),
      // The page's last editor is the best Notion says about who chose: it keeps no editor per property.
      ...(agent === undefined ? {} : { assignee: { agent, by: page.last_edited_by.id } }),
      properties: {
        ...facts,
        url: page.url,
        status: status ?? null,
        ...(mapping.properties.priority === undefined ? {} : { priority: priorityName ?? null }),
        createdTime: page.created_time,
        lastEditedTime: page.last_edited_time,
      },
    },
  };
}
