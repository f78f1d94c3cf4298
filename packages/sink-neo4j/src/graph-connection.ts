import { setTimeout } from 'node:timers/promises';
import { describeError, KurultaiError } from '@kurultai/core';
import neo4j, { type Driver, Neo4jError, type Transaction, isRetryableError } from 'neo4j-driver';
import { type ConnectionSettings, displayUri } from './connection-settings.js';
import { retryDelays } from './retry-delays.js';

/** A place errors name: this plugin. */
export const PLUGIN_PLACE = { plugin: 'neo4j' } as const;

/** What a unit of work may do inside its transaction: run statements. The connection commits, rolls back and retries. */
export type GraphTransaction = Pick<Transaction, 'run'>;

/**
 * One driver and the way every query runs through it: transactions retried by the sink on transient errors and lost
 * connections (see `retryDelays`), one bookmark manager so a read always sees this process's own earlier writes even
 * on a cluster, and errors turned into `KurultaiError`s that never carry the password.
 */
export interface GraphConnection {
  write<T>(operation: string, work: (tx: GraphTransaction) => Promise<T>): Promise<T>;
  read<T>(operation: string, work: (tx: GraphTransaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface GraphConnectionOptions {
  /** How long a call keeps retrying while Neo4j is unreachable or restarting. Default 60 s. */
  readonly retryWithinMs?: number;
}

export function openGraphConnection(settings: ConnectionSettings, options: GraphConnectionOptions = {}): GraphConnection {
  const auth = settings.auth.kind === 'basic' ? neo4j.auth.basic(settings.auth.username, settings.auth.password) : undefined;
  const driver: Driver = neo4j.driver(settings.uri, auth, {
    disableLosslessIntegers: true,
    // The driver's own log would be the one place a connection string could leak; Kurultai logs through its logger.
    logging: { level: 'error', logger: () => undefined },
    userAgent: 'kurultai-sink-neo4j/0.1',
  });
  const bookmarkManager = neo4j.bookmarkManager();
  const server: Server = {
    where: displayUri(settings.uri),
    who: settings.auth.kind === 'basic' ? `the user ${JSON.stringify(settings.auth.username)}` : 'a connection without credentials',
  };
  const retryWithinMs = options.retryWithinMs ?? 60_000;

  const attempt = async <T>(mode: 'READ' | 'WRITE', work: (tx: GraphTransaction) => Promise<T>): Promise<T> => {
    const session = driver.session({ database: settings.database, bookmarkManager, defaultAccessMode: neo4j.session[mode] });
    try {
      const tx = await session.beginTransaction();
      try {
        const result = await work(tx);
        await tx.commit();
        return result;
      } catch (error) {
        if (tx.isOpen()) await tx.rollback().catch(() => undefined);
        throw error;
      }
    } finally {
      await session.close();
    }
  };

  // The driver's managed transactions retry too, but 1 s, 2 s, 4 s ... up to 30 s apart: a worker would notice a
  // restarted Neo4j up to half a minute late. The sink retries on its own schedule instead, never more than a second apart.
  const run = async <T>(mode: 'READ' | 'WRITE', operation: string, work: (tx: GraphTransaction) => Promise<T>): Promise<T> => {
    const giveUpAt = Date.now() + retryWithinMs;
    const delays = retryDelays();
    for (;;) {
      try {
        return await attempt(mode, work);
      } catch (error) {
        const delayMs = delays.next().value;
        if (!isRetryableError(error) || Date.now() + delayMs > giveUpAt) throw describeFailure(error, operation, server);
        await setTimeout(delayMs);
      }
    }
  };

  return {
    write: (operation, work) => run('WRITE', operation, work),
    read: (operation, work) => run('READ', operation, work),
    close: () => driver.close(),
  };
}

/** The server as errors name it: its URI without credentials, and who tried to log in (never with what password). */
interface Server {
  readonly where: string;
  readonly who: string;
}

/** Neo4j's answers to a login it refuses: wrong credentials, too many wrong ones in a row, a password to change first. */
const LOGIN_REFUSED = new Set([
  'Neo.ClientError.Security.Unauthorized',
  'Neo.ClientError.Security.AuthenticationRateLimit',
  'Neo.ClientError.Security.CredentialsExpired',
]);

/**
 * `neo4j.unauthorized` when Neo4j refuses the login, `neo4j.unavailable` when waiting may help (the server is down,
 * restarting or busy: the sink already retried for as long as it was allowed), `neo4j.query-failed` otherwise. The
 * driver's message names the server, never the credentials.
 */
function describeFailure(error: unknown, operation: string, { where, who }: Server): KurultaiError {
  if (error instanceof KurultaiError) return error;
  const detail = describeError(error);
  const options = { place: PLUGIN_PLACE, cause: error };
  if (error instanceof Neo4jError && LOGIN_REFUSED.has(error.code)) {
    return new KurultaiError(
      'neo4j.unauthorized',
      `${operation}: Neo4j at ${where} refused ${who} (${detail}); check the sink's username and password, or NEO4J_USERNAME and NEO4J_PASSWORD`,
      options,
    );
  }
  return isRetryableError(error)
    ? new KurultaiError('neo4j.unavailable', `${operation}: Neo4j at ${where} is unavailable (${detail}); the call may be retried`, options)
    : new KurultaiError('neo4j.query-failed', `${operation} failed on Neo4j at ${where}: ${detail}`, options);
}
