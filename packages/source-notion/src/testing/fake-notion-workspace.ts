import { randomUUID } from 'node:crypto';
import type {
  CommentObjectResponse,
  DatabaseObjectResponse,
  DataSourceObjectResponse,
  GetPagePropertyResponse,
  ListCommentsResponse,
  PageObjectResponse,
  PartialUserObjectResponse,
  UserObjectResponse,
} from '@notionhq/client';
import { PAGE_SIZE_LIMIT } from '../notion-limits.js';
import { FakeNotionError, notFound, validationError } from './fake-notion-error.js';
import {
  apiValue,
  emptyValue,
  isRecord,
  richTextContents,
  typedValue,
  type FakePropertyInput,
  type FakePropertySchema,
  type StoredProperty,
  type StoredValue,
} from './fake-notion-properties.js';
import { propertyConfig, propertyItem, propertyValue, type PropertyContext } from './fake-notion-property-values.js';
import { textItem } from './fake-notion-rich-text.js';

export type { FakeDate, FakeFile, FakePropertyInput, FakePropertySchema } from './fake-notion-properties.js';

export interface FakeUser {
  readonly id: string;
  readonly name: string;
}

export interface FakeNotionWorkspaceOptions {
  /** The fake's clock; Notion's timestamps come from it, rounded down to the minute. */
  readonly now?: () => Date;
  /**
   * Whether the integration has Notion's "Read comments" capability (default true). Without it, listing comments answers
   * 403 `restricted_resource`; posting them is a separate capability, kept here.
   */
  readonly readComments?: boolean;
  /**
   * Whether the integration has Notion's "Read user information" capability (default true). Without it, users in property
   * values are answered by id alone (`{object: "user", id}`), with no name.
   */
  readonly readUserInformation?: boolean;
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
  /** Its number in the data source, for unique id properties. */
  readonly number: number;
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
  readonly discussionId: string;
  readonly texts: readonly string[];
  /** Resolved by a person in Notion's UI: the API no longer lists it. */
  resolved: boolean;
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
  readonly #people: FakeUser[] = [this.person];
  readonly #now: () => Date;
  readonly #databases = new Map<string, StoredDatabase>();
  readonly #dataSources = new Map<string, StoredDataSource>();
  readonly #pages = new Map<string, StoredPage>();
  readonly #comments: StoredComment[] = [];

  readonly #readComments: boolean;
  readonly #readUserInformation: boolean;

  constructor(options: FakeNotionWorkspaceOptions = {}) {
    this.#now = options.now ?? (() => new Date());
    this.#readComments = options.readComments ?? true;
    this.#readUserInformation = options.readUserInformation ?? true;
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
      number: [...this.#pages.values()].filter((other) => other.dataSourceId === dataSource.id).length + 1,
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

  /** Adds a person to the workspace, e.g. to assign tasks to; returns their user id. */
  addPerson(name: string): string {
    const user = { id: randomUUID(), name };
    this.#people.push(user);
    return user.id;
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

  /** Comments on a page as a person would, e.g. to fill its discussion. */
  commentAsPerson(pageId: string, text: string): void {
    const page = this.#page(pageId);
    this.#comments.push({
      id: randomUUID(),
      pageId: page.id,
      createdTime: this.#minute(),
      createdBy: this.person.id,
      discussionId: randomUUID(),
      texts: [text],
      resolved: false,
    });
  }

  /**
   * Resolves every open discussion on a page, as a person clicking "Resolve" in Notion's UI. The comments stay on the page
   * (`commentsOn` shows them), but `comments.list` answers only unresolved comments, as Notion's does.
   */
  resolveDiscussions(pageId: string): void {
    const key = idKey(pageId);
    for (const comment of this.#comments) if (idKey(comment.pageId) === key) comment.resolved = true;
  }

  /** The plain text of every comment on a page, resolved ones too, oldest first. */
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
      properties: Object.fromEntries(
        dataSource.properties.map((property) => [property.name, propertyConfig(property, dataSource, dataSource.properties)]),
      ),
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

  /** `GET /v1/pages/:id/properties/:property_id`, paged as Notion pages title, rich text, relation and people values. */
  retrievePageProperty(pageId: string, propertyId: string, query: URLSearchParams): GetPagePropertyResponse {
    const page = this.#page(pageId);
    const property = this.#dataSource(page.dataSourceId).properties.find((p) => p.id === propertyId || p.name === propertyId);
    if (property === undefined) throw notFound('property', propertyId);
    return propertyItem(property, page.values.get(property.id), this.#propertyContext(page), query);
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
      discussionId: randomUUID(),
      texts,
      resolved: false,
    };
    this.#comments.push(comment);
    return this.#commentResponse(comment);
  }

  /**
   * `GET /v1/comments?block_id=...`: a page's unresolved comments (Notion lists no resolved ones), oldest first,
   * `page_size` (at most 100) at a time; the cursor is the id of the next comment, as in Notion's answers.
   */
  listComments(query: URLSearchParams): ListCommentsResponse {
    if (!this.#readComments) {
      throw new FakeNotionError(403, 'restricted_resource', 'Insufficient permissions for this endpoint.');
    }
    const blockId = query.get('block_id');
    if (blockId === null) throw validationError('query.block_id should be defined, instead was `undefined`.');
    const pageSize = Number(query.get('page_size') ?? PAGE_SIZE_LIMIT);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > PAGE_SIZE_LIMIT) {
      throw validationError(`query.page_size should be a number between 1 and ${PAGE_SIZE_LIMIT}, instead was \`${query.get('page_size') ?? ''}\`.`);
    }
    const page = this.#page(blockId);
    const comments = this.#comments.filter((comment) => comment.pageId === page.id && !comment.resolved);
    const cursor = query.get('start_cursor');
    const start = cursor === null ? 0 : comments.findIndex((comment) => comment.id === cursor);
    if (start === -1) throw validationError(`query.start_cursor should be a valid cursor, instead was \`${cursor ?? ''}\`.`);
    const next = comments[start + pageSize];
    return {
      object: 'list',
      type: 'comment',
      comment: {},
      results: comments.slice(start, start + pageSize).map((comment) => this.#commentResponse(comment)),
      has_more: next !== undefined,
      next_cursor: next === undefined ? null : next.id,
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

  #propertyContext(page: StoredPage): PropertyContext {
    return {
      pageId: page.id,
      createdTime: page.createdTime,
      lastEditedTime: page.lastEditedTime,
      createdBy: page.createdBy,
      lastEditedBy: page.lastEditedBy,
      number: page.number,
      user: (id) => this.#user(id),
      now: this.#now,
    };
  }

  /** A user as property values show them: by id alone unless the integration may read user information. */
  #user(id: string): PartialUserObjectResponse | UserObjectResponse {
    if (!this.#readUserInformation) return { object: 'user', id };
    if (id === this.bot.id) return { object: 'user', id, name: this.bot.name, avatar_url: null, type: 'bot', bot: {} };
    const person = this.#people.find((user) => user.id === id);
    return { object: 'user', id, name: person?.name ?? null, avatar_url: null, type: 'person', person: {} };
  }

  #commentResponse(comment: StoredComment): CommentObjectResponse {
    const time = comment.createdTime.toISOString();
    const author = comment.createdBy === this.bot.id ? this.bot : this.person;
    return {
      object: 'comment',
      id: comment.id,
      parent: { type: 'page_id', page_id: comment.pageId },
      discussion_id: comment.discussionId,
      created_time: time,
      last_edited_time: time,
      created_by: { object: 'user', id: comment.createdBy },
      rich_text: comment.texts.map(textItem),
      display_name: { type: comment.createdBy === this.bot.id ? 'integration' : 'user', resolved_name: author.name },
    };
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
        dataSource.properties.map((property) => [
          property.name,
          propertyValue(property, page.values.get(property.id), this.#propertyContext(page)),
        ]),
      ),
      icon: null,
      cover: null,
      created_by: { object: 'user', id: page.createdBy },
      last_edited_by: { object: 'user', id: page.lastEditedBy },
    };
  }
}
