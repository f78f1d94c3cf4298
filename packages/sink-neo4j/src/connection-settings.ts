import { z } from 'zod';

/**
 * The sink's options (`sink.with` in `kurultai.config.yaml`). Every field may be left out and taken from the
 * environment instead (`NEO4J_URI`, `NEO4J_USERNAME`, `NEO4J_PASSWORD`, `NEO4J_DATABASE`), which keeps the password out
 * of the config file.
 */
export const neo4jSinkOptionsSchema = z
  .object({
    uri: z.string().min(1).optional().describe('Bolt or Neo4j URI, e.g. neo4j://db.example.com:7687 or neo4j+s://xxxx.databases.neo4j.io. Default: $NEO4J_URI.'),
    username: z.string().min(1).optional().describe('Default: $NEO4J_USERNAME, else no authentication.'),
    password: z.string().optional().describe('Best given as ${NEO4J_PASSWORD}. Default: $NEO4J_PASSWORD. Never logged.'),
    database: z.string().min(1).optional().describe("Default: $NEO4J_DATABASE, else the server's default database."),
  })
  .strict();

export type Neo4jSinkOptions = z.output<typeof neo4jSinkOptionsSchema>;

/** Where and as whom to connect, once config and environment are combined. */
export interface ConnectionSettings {
  readonly uri: string;
  readonly auth: { readonly kind: 'none' } | { readonly kind: 'basic'; readonly username: string; readonly password: string };
  readonly database: string | undefined;
}

/**
 * Config values win over the environment; a missing URI is the one setting that cannot be defaulted. Credentials
 * written into the URI (`bolt://user:password@host`), which the driver would silently ignore, are taken out of it and
 * rank between the two: config, then URI, then environment. The URI kept, the one shown in logs and errors, has none.
 */
export function resolveConnectionSettings(
  options: Neo4jSinkOptions,
  env: Readonly<Record<string, string | undefined>>,
): ConnectionSettings | { readonly missing: 'uri' } {
  const written = options.uri ?? nonEmpty(env.NEO4J_URI);
  if (written === undefined) return { missing: 'uri' };
  const { uri, credentials } = takeCredentials(written);
  const username = options.username ?? credentials.username ?? nonEmpty(env.NEO4J_USERNAME);
  const password = options.password ?? credentials.password ?? env.NEO4J_PASSWORD ?? '';
  return {
    uri,
    auth: username === undefined ? { kind: 'none' } : { kind: 'basic', username, password },
    database: options.database ?? nonEmpty(env.NEO4J_DATABASE),
  };
}

/**
 * `user:password@` in front of the host: everything up to the last `@`, so that a password with an unescaped `@`, `/`
 * or `#` in it is still taken out whole rather than shown in part.
 */
const CREDENTIALS_IN_URI = /^([^:/?#]+:\/\/)(.*)@/s;

/** The URI as it may be shown: any `user:password@` part removed. */
export function displayUri(uri: string): string {
  return uri.replace(CREDENTIALS_IN_URI, '$1');
}

interface UriCredentials {
  readonly username?: string;
  readonly password?: string;
}

function takeCredentials(uri: string): { readonly uri: string; readonly credentials: UriCredentials } {
  const userInfo = CREDENTIALS_IN_URI.exec(uri)?.[2];
  if (userInfo === undefined) return { uri, credentials: {} };
  const colon = userInfo.indexOf(':');
  const username = nonEmpty(percentDecoded(colon < 0 ? userInfo : userInfo.slice(0, colon)));
  const credentials: UriCredentials = colon < 0 ? { username } : { username, password: percentDecoded(userInfo.slice(colon + 1)) };
  return { uri: displayUri(uri), credentials };
}

/** A `%` that does not start an escape is taken as itself, as a person who typed the password meant it. */
function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
