import { randomUUID } from 'node:crypto';
import type {
  CommentObjectResponse,
  DatabaseObjectResponse,
  DataSourceObjectResponse,
  PageObjectResponse,
  UserObjectResponse,
} from '@notionhq/client';
import { notFound, validationError } from './fake-notion-error.js';
import {
  apiValue,
  emptyValue,
  isRecord,
  propertyConfig,
  propertyValue,
  richTextContents,
  typedValue,
  type FakePropertyInput,
  type FakePropertySchema,
  type StoredProperty,
  type StoredValue,
} from './fake-notion-properties.js';
import { textItem } from './fake-notion-rich-text.js';

export type { FakePropertyInput, FakePropertySchema } from './fake-notion-properties.js';

export interface FakeUser {
  readonly id: string;
  readonly name: string;
}

export interface FakeNotionWorkspaceOptions {
  /** The fake's clock; Notion's timestamps come from it, rounded down to the minute. */
  readonly now?: () => Date;
}

interface StoredDataSource {
  readonly id: string;
  readonly databaseId: string;
  readonly title: string;
  readonly createdTime: Date;
  readonly properties: StoredProperty[];
}

interface StoredDatabase {
  readonly id: string;
  readonly title: string;
  readonly createdTime: Date;
  readonly dataSourceIds: string[];
}

interface StoredPage {
  readonly id: string;
  readonly dataSourceId: string;
  readonly createdTime: Date;
  readonly createdBy: string;
  lastEditedTime: Date;
  lastEditedBy: string;
  inTrash: boolean;
  readonly values: Map<string, StoredValue>;
}

interface StoredComment {
  readonly id: string;
  readonly pageId: string;
  readonly createdTime: Date;
  readonly createdBy: string;
  readonly texts: readonly string[];
}

/** Notion stores times to the minute: `last_edited_time` of an edit at 10:00:59 reads 10:00:00. */
export function roundDownToMinute(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 60_000) * 60_000);
}

/** Notion accepts ids with or without dashes, in either case. */
function idKey(id: string): string {
  return id.replaceAll('-', '').toLowerCase();
}

function shortPropertyId(): string {
  return encodeURIComponent(randomUUID().slice(0, 4));
}

/**
 * The data behind the fake Notion API: databases with one data source each, pages, comments, and two users (the
 * integration's bot and a person). Tests set it up and edit it "as a person would" through the helpers; the HTTP server
 * calls the API methods, which act as the integration's bot.
 */
export class FakeNotionWorkspace {
  readonly bot: FakeUser = { id: randomUUID(), name: 'Kurultai' };
  readonly person: FakeUser = { id: randomUUID(), name: 'Ada Lovelace' };
  readonly #now: () => Date;
  readonly #databases = new Map<string, StoredDatabase>();
  readonly #dataSources = new Map<string, StoredDataSource>();
  readonly #pages = new Map<string, StoredPage>();
  readonly #comments: StoredComment[] = [];

  constructor(options: FakeNotionWorkspaceOptions = {}) {
    this.#now = options.now ?? (() => new Date());
  }

  // ---- helpers for tests: acting as a person ----

  /** Creates a database with one data source holding the given properties. Exactly one must be a title. */
  createDatabase(spec: { readonly title: string; readonly properties: Readonly<Record<string, FakePropertySchema>> }): {
    readonly databaseId: string;
    readonly dataSourceId: string;
  } {
    const titles = Object.values(spec.properties).filter((schema) => schema.type === 'title');
    if (titles.length !== 1) throw new Error(`a database needs exactly one title property, got ${titles.length}`);
    const createdTime = this.#minute();
    const database: StoredDatabase = { id: randomUUID(), title: spec.title, createdTime, dataSourceIds: [] };
    const dataSource: StoredDataSource = {
      id: randomUUID(),
      databaseId: database.id,
      title: spec.title,
      createdTime,
      properties: Object.entries(spec.properties).map(([name, schema]) => ({
        id: schema.type === 'title' ? 'title' : shortPropertyId(),
        name,
        schema,
        options: 'options' in schema ? schema.options.map((option) => ({ id: randomUUID(), name: option })) : [],
      })),
    };
    database.dataSourceIds.push(dataSource.id);
    this.#databases.set(idKey(database.id), database);
    this.#dataSources.set(idKey(dataSource.id), dataSource);
    return { databaseId: database.id, dataSourceId: dataSource.id };
  }

  /** Adds a page to a data source as the person; properties not given stay empty. Returns the page id. */
  createPage(dataSourceId: string, values: Readonly<Record<string, FakePropertyInput>>): string {
    const dataSource = this.#dataSource(dataSourceId);
    const now = this.#minute();
    const page: StoredPage = {
      id: randomUUID(),
      dataSourceId: dataSource.id,
      createdTime: now,
      createdBy: this.person.id,
      lastEditedTime: now,
      lastEditedBy: this.person.id,
      inTrash: false,
      values: new Map(dataSource.properties.map((property) => [property.id, emptyValue(property.schema)])),
    };
    this.#setTypedValues(dataSource, page, values);
    this.#pages.set(idKey(page.id), page);
    return page.id;
  }

  /** Changes a page's properties as the person does in Notion's UI: `last_edited_by` becomes the person. */
  editPage(pageId: string, values: Readonly<Record<string, FakePropertyInput>>): void {
    const page = this.#page(pageId);
    this.#setTypedValues(this.#dataSource(page.dataSourceId), page, values);
    this.#touch(page, this.person.id);
  }

  /** Moves a page to the trash, as the person. */
  trashPage(pageId: string): void {
    const page = this.#page(pageId);
    page.inTrash = true;
    this.#touch(page, this.person.id);
  }

  /** Renames, adds or removes options of a status or select property, as the person editing the database. */
  setOptions(dataSourceId: string, propertyName: string, options: readonly string[]): void {
    const property = this.#dataSource(dataSourceId).properties.find((p) => p.name === propertyName);
    if (property === undefined) throw new Error(`no property ${propertyName}`);
    const kept = property.options.filter((option) => options.includes(option.name));
    const added = options.filter((name) => !kept.some((option) => option.name === name));
    property.options.splice(0, property.options.length, ...kept, ...added.map((name) => ({ id: randomUUID(), name })));
  }

  /** The page as the API answers it. */
  page(pageId: string): PageObjectResponse {
    return this.#pageResponse(this.#page(pageId));
  }

  /** The plain text of every comment on a page, oldest first. */
  commentsOn(pageId: string): string[] {
    const key = idKey(pageId);
    return this.#comments.filter((comment) => idKey(comment.pageId) === key).map((comment) => comment.texts.join(''));
  }

  /** Every page of a data source (trashed ones too), as the API answers them, in creation order. */
  pagesOf(dataSourceId: string): PageObjectResponse[] {
    const dataSource = this.#dataSource(dataSourceId);
    return [...this.#pages.values()]
      .filter((page) => page.dataSourceId === dataSource.id)
      .map((page) => this.#pageResponse(page));
  }

  // ---- the API, acting as the integration's bot ----

  retrieveDatabase(databaseId: string): DatabaseObjectResponse {
    const database = this.#databases.get(idKey(databaseId));
    if (database === undefined) throw notFound('database', databaseId);
    return {
      object: 'database',
      id: database.id,
      title: [textItem(database.title)],
      description: [],
      parent: { type: 'workspace', workspace: true },
      is_inline: false,
      in_trash: false,
      archived: false,
      is_locked: false,
      created_time: database.createdTime.toISOString(),
      last_edited_time: database.createdTime.toISOString(),
      data_sources: database.dataSourceIds.map((id) => ({ id, name: this.#dataSource(id).title })),
      icon: null,
      cover: null,
      url: `https://www.notion.so/${idKey(database.id)}`,
      public_url: null,
    };
  }

  retrieveDataSource(dataSourceId: string): DataSourceObjectResponse {
    const dataSource = this.#dataSource(dataSourceId);
    const time = dataSource.createdTime.toISOString();
    return {
      object: 'data_source',
      id: dataSource.id,
      title: [textItem(dataSource.title)],
      description: [],
      parent: { type: 'database_id', database_id: dataSource.databaseId },
      database_parent: { type: 'workspace', workspace: true },
      is_inline: false,
      in_trash: false,
      archived: false,
      created_time: time,
      last_edited_time: time,
      created_by: { object: 'user', id: this.person.id },
      last_edited_by: { object: 'user', id: this.person.id },
      properties: Object.fromEntries(dataSource.properties.map((property) => [property.name, propertyConfig(property)])),
      icon: null,
      cover: null,
      url: `https://www.notion.so/${idKey(dataSource.id)}`,
      public_url: null,
    };
  }

  /** The data source's pages that are not in the trash, as the API answers them; the query module filters and sorts. */
  livePagesOf(dataSourceId: string): PageObjectResponse[] {
    return this.pagesOf(dataSourceId).filter((page) => !page.in_trash);
  }

  retrievePage(pageId: string): PageObjectResponse {
    return this.page(pageId);
  }

  /** `PATCH /v1/pages/:id` with `properties` (and optionally `in_trash`), validated like Notion does. */
  updatePage(pageId: string, body: Readonly<Record<string, unknown>>): PageObjectResponse {
    const page = this.#page(pageId);
    const wantsTrash = body['in_trash'] ?? body['archived'];
    if (page.inTrash && wantsTrash !== false) {
      throw validationError("Can't edit block that is archived. You must unarchive the block before editing.");
    }
    const dataSource = this.#dataSource(page.dataSourceId);
    const properties = body['properties'];
    if (properties !== undefined) {
      if (!isRecord(properties)) throw validationError('body.properties should be an object.');
      // Validate everything before changing anything: Notion applies an update whole or not at all.
      const changes = Object.entries(properties).map(([key, value]) => {
        const property = dataSource.properties.find((p) => p.name === key || p.id === key);
        if (property === undefined) throw validationError(`${key} is not a property that exists.`);
        return [property, apiValue(property, value)] as const;
      });
      for (const [property, value] of changes) page.values.set(property.id, value);
    }
    if (typeof wantsTrash === 'boolean') page.inTrash = wantsTrash;
    this.#touch(page, this.bot.id);
    return this.#pageResponse(page);
  }

  /** `POST /v1/comments` on a page, with Notion's limits on rich text. */
  createComment(body: Readonly<Record<string, unknown>>): CommentObjectResponse {
    const parent = body['parent'];
    const pageId = isRecord(parent) && typeof parent['page_id'] === 'string' ? parent['page_id'] : undefined;
    if (pageId === undefined) throw validationError('body.parent.page_id should be defined, instead was `undefined`.');
    const page = this.#page(pageId);
    if (page.inTrash) throw validationError("Can't edit block that is archived. You must unarchive the block before editing.");
    const texts = richTextContents(body['rich_text'], 'body.rich_text');
    const comment: StoredComment = {
      id: randomUUID(),
      pageId: page.id,
      createdTime: this.#minute(),
      createdBy: this.bot.id,
      texts,
    };
    this.#comments.push(comment);
    const time = comment.createdTime.toISOString();
    return {
      object: 'comment',
      id: comment.id,
      parent: { type: 'page_id', page_id: page.id },
      discussion_id: randomUUID(),
      created_time: time,
      last_edited_time: time,
      created_by: { object: 'user', id: this.bot.id },
      rich_text: texts.map(textItem),
      display_name: { type: 'integration', resolved_name: this.bot.name },
    };
  }

  me(): UserObjectResponse {
    return {
      object: 'user',
      id: this.bot.id,
      name: this.bot.name,
      avatar_url: null,
      type: 'bot',
      bot: {
        owner: { type: 'workspace', workspace: true },
        workspace_name: 'Kurultai test workspace',
        workspace_id: randomUUID(),
        workspace_limits: { max_file_upload_size_in_bytes: 5_242_880 },
      },
    };
  }

  // ---- internals ----

  #minute(): Date {
    return roundDownToMinute(this.#now());
  }

  #touch(page: StoredPage, userId: string): void {
    page.lastEditedTime = this.#minute();
    page.lastEditedBy = userId;
  }

  #dataSource(id: string): StoredDataSource {
    const dataSource = this.#dataSources.get(idKey(id));
    if (dataSource === undefined) throw notFound('data_source', id);
    return dataSource;
  }

  #page(id: string): StoredPage {
    const page = this.#pages.get(idKey(id));
    if (page === undefined) throw notFound('page', id);
    return page;
  }

  #setTypedValues(dataSource: StoredDataSource, page: StoredPage, values: Readonly<Record<string, FakePropertyInput>>): void {
    for (const [name, input] of Object.entries(values)) {
      const property = dataSource.properties.find((p) => p.name === name);
      if (property === undefined) throw new Error(`no property ${name} in data source ${dataSource.title}`);
      page.values.set(property.id, typedValue(property, input));
    }
  }

  #pageResponse(page: StoredPage): PageObjectResponse {
    const dataSource = this.#dataSource(page.dataSourceId);
    return {
      object: 'page',
      id: page.id,
      created_time: page.createdTime.toISOString(),
      last_edited_time: page.lastEditedTime.toISOString(),
      in_trash: page.inTrash,
      archived: page.inTrash,
      is_archived: page.inTrash,
      is_locked: false,
      url: `https://www.notion.so/${idKey(page.id)}`,
      public_url: null,
      parent: { type: 'data_source_id', data_source_id: dataSource.id, database_id: dataSource.databaseId },
      properties: Object.fromEntries(
        dataSource.properties.map((property) => [property.name, propertyValue(property, page.values.get(property.id))]),
      ),
      icon: null,
      cover: null,
      created_by: { object: 'user', id: page.createdBy },
      last_edited_by: { object: 'user', id: page.lastEditedBy },
    };
  }
}
