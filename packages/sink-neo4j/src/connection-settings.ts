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

/** Config values win over the environment; a missing URI is the one setting that cannot be defaulted. */
export function resolveConnectionSettings(
  options: Neo4jSinkOptions,
  env: Readonly<Record<string, string | undefined>>,
): ConnectionSettings | { readonly missing: 'uri' } {
  const uri = options.uri ?? nonEmpty(env.NEO4J_URI);
  if (uri === undefined) return { missing: 'uri' };
  const username = options.username ?? nonEmpty(env.NEO4J_USERNAME);
  const password = options.password ?? env.NEO4J_PASSWORD ?? '';
  return {
    uri,
    auth: username === undefined ? { kind: 'none' } : { kind: 'basic', username, password },
    database: options.database ?? nonEmpty(env.NEO4J_DATABASE),
  };
}

/** The URI as it may be shown: any `user:password@` part removed. */
export function displayUri(uri: string): string {
  return uri.replace(/\/\/[^/@]*@/, '//');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
