import { KurultaiError, type Place, type Problem } from '@kurultai/core';
import {
  APIErrorCode,
  type Client,
  type DataSourceObjectResponse,
  extractDatabaseId,
  isFullDatabase,
  isFullDataSource,
  isNotionClientError,
} from '@notionhq/client';
import type { NotionSourceOptions } from './notion-source-options.js';
import { plainText } from './page-properties.js';
import type { RequestScheduler } from './request-scheduler.js';

type PropertyType = DataSourceObjectResponse['properties'][string]['type'];

/** What the start-up check learned: where to read, how the status is written, and who "we" are. */
export interface CheckedDatabase {
  readonly databaseId: string;
  readonly dataSourceId: string;
  readonly title: string;
  /** The status property is a Notion status, or a select used as one. */
  readonly statusType: 'status' | 'select';
  /** How the agent property holds the agent's name, when one is mapped. */
  readonly agentType: 'select' | 'rich_text' | undefined;
  /** The integration's bot user: pages it edited last were changed by Kurultai. */
  readonly botId: string;
}

/** The property types each mapped property may have. */
const ACCEPTED_TYPES: Readonly<Record<keyof NotionSourceOptions['properties'], readonly PropertyType[]>> = {
  title: ['title'],
  status: ['status', 'select'],
  priority: ['select', 'status'],
  tags: ['multi_select', 'select'],
  description: ['rich_text', 'title'],
  agent: ['select', 'rich_text'],
  commentLog: ['rich_text'],
};

/** Turns the answers that mean "the config is wrong" into errors that say so; other errors pass through. */
export function explainAccessError(error: unknown, options: NotionSourceOptions, place: Place): unknown {
  if (!isNotionClientError(error)) return error;
  if (error.code === APIErrorCode.Unauthorized) {
    return new KurultaiError(
      'notion_unauthorized',
      `Notion refused the token in $${options.tokenEnv}: it is not a valid integration token`,
      {
        place,
        cause: error,
      },
    );
  }
  if (error.code === APIErrorCode.ObjectNotFound || error.code === APIErrorCode.RestrictedResource) {
    return new KurultaiError(
      'notion_database_not_found',
      `Notion database ${options.database} was not found: check the id, and share the database with the integration (••• → Connections)`,
      { place, cause: error },
    );
  }
  return error;
}

function schemaProblems(dataSource: DataSourceObjectResponse, options: NotionSourceOptions, place: Place): Problem[] {
  const problems: Problem[] = [];
  const byName = new Map(Object.values(dataSource.properties).map((property) => [property.name, property]));
  for (const [role, name] of Object.entries(options.properties) as [keyof typeof ACCEPTED_TYPES, string | undefined][]) {
    if (name === undefined) continue;
    const property = byName.get(name);
    const accepted = ACCEPTED_TYPES[role];
    if (property === undefined) {
      problems.push({
        place,
        message: `properties.${role}: the database has no property "${name}" (it has ${[...byName.keys()].map((n) => `"${n}"`).join(', ')})`,
      });
    } else if (!accepted.includes(property.type)) {
      problems.push({
        place,
        message: `properties.${role}: "${name}" is a ${property.type} property; it must be ${accepted.join(' or ')}`,
      });
    }
  }
  const status = byName.get(options.properties.status);
  const statusOptions =
    status?.type === 'status' ? status.status.options : status?.type === 'select' ? status.select.options : undefined;
  if (statusOptions !== undefined) {
    const known = statusOptions.map((option) => option.name);
    const wanted: [string, string][] = [
      ...options.statuses.new.map((name): [string, string] => ['statuses.new', name]),
      ['statuses.inProgress', options.statuses.inProgress],
      ['statuses.done', options.statuses.done],
      ['statuses.blocked', options.statuses.blocked],
    ];
    for (const [key, name] of wanted) {
      if (!known.includes(name)) {
        problems.push({
          place,
          message: `${key}: "${options.properties.status}" has no option "${name}" (it has ${known.map((n) => `"${n}"`).join(', ')})`,
        });
      }
    }
  }
  return problems;
}

/**
 * Checks on start that the database exists, is shared with the integration, and has the mapped properties with usable types
 * and every configured status option, and reports every mismatch at once.
 */
export async function checkDatabase(
  client: Client,
  scheduler: RequestScheduler,
  options: NotionSourceOptions,
  place: Place,
  signal?: AbortSignal,
): Promise<CheckedDatabase> {
  const databaseId = extractDatabaseId(options.database) ?? options.database;
  try {
    const database = await scheduler.run('databases.retrieve', () => client.databases.retrieve({ database_id: databaseId }), signal);
    if (!isFullDatabase(database))
      throw new KurultaiError('notion_database_not_found', `Notion answered no details for database ${databaseId}`, { place });
    const reference =
      options.dataSource === undefined
        ? database.data_sources[0]
        : database.data_sources.find((source) => source.name === options.dataSource || source.id === options.dataSource);
    if (reference === undefined) {
      const names = database.data_sources.map((source) => `"${source.name}"`).join(', ');
      const message =
        options.dataSource === undefined
          ? 'it has no data source'
          : `it has no data source "${options.dataSource}" (it has ${names})`;
      throw new KurultaiError('notion_database_mismatch', `Notion database ${databaseId} cannot be read: ${message}`, { place });
    }
    const dataSource = await scheduler.run(
      'dataSources.retrieve',
      () => client.dataSources.retrieve({ data_source_id: reference.id }),
      signal,
    );
    if (!isFullDataSource(dataSource))
      throw new KurultaiError('notion_database_not_found', `Notion answered no details for data source ${reference.id}`, {
        place,
      });
    const title = plainText(dataSource.title);
    const problems = schemaProblems(dataSource, options, place);
    if (problems.length > 0) {
      throw new KurultaiError(
        'notion_database_mismatch',
        `Notion database "${title}" does not match the config: ${problems.map((p) => p.message).join('; ')}`,
        {
          place,
          problems,
        },
      );
    }
    const me = await scheduler.run('users.me', () => client.users.me({}), signal);
    const statusType = dataSource.properties[options.properties.status]?.type === 'select' ? 'select' : 'status';
    const agent = options.properties.agent === undefined ? undefined : dataSource.properties[options.properties.agent];
    const agentType = agent === undefined ? undefined : agent.type === 'select' ? 'select' : 'rich_text';
    return { databaseId, dataSourceId: dataSource.id, title, statusType, agentType, botId: me.id };
  } catch (error) {
    throw explainAccessError(error, options, place);
  }
}
