import { KurultaiError } from '@kurultai/core';
import neo4j, { type Driver, type ManagedTransaction, isRetryableError } from 'neo4j-driver';
import { type ConnectionSettings, displayUri } from './connection-settings.js';

/** A place errors name: this plugin. */
export const PLUGIN_PLACE = { plugin: 'neo4j' } as const;

/**
 * One driver and the way every query runs through it: managed transactions (retried by the driver on transient errors
 * and lost connections, for up to `retryWithinMs`), one bookmark manager so a read always sees this process's own
 * earlier writes even on a cluster, and errors turned into `KurultaiError`s that never carry the password.
 */
export interface GraphConnection {
  write<T>(operation: string, work: (tx: ManagedTransaction) => Promise<T>): Promise<T>;
  read<T>(operation: string, work: (tx: ManagedTransaction) => Promise<T>): Promise<T>;
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
    maxTransactionRetryTime: options.retryWithinMs ?? 60_000,
    // The driver's own log would be the one place a connection string could leak; Kurultai logs through its logger.
    logging: { level: 'error', logger: () => undefined },
    userAgent: 'kurultai-sink-neo4j/0.1',
  });
  const bookmarkManager = neo4j.bookmarkManager();
  const where = displayUri(settings.uri);

  const run = async <T>(mode: 'READ' | 'WRITE', operation: string, work: (tx: ManagedTransaction) => Promise<T>): Promise<T> => {
    const session = driver.session({ database: settings.database, bookmarkManager, defaultAccessMode: neo4j.session[mode] });
    try {
      return mode === 'WRITE' ? await session.executeWrite(work) : await session.executeRead(work);
    } catch (error) {
      throw describeFailure(error, operation, where);
    } finally {
      await session.close();
    }
  };

  return {
    write: (operation, work) => run('WRITE', operation, work),
    read: (operation, work) => run('READ', operation, work),
    close: () => driver.close(),
  };
}

/**
 * `neo4j.unavailable` when waiting may help (the server is down, restarting or busy: the driver already retried for as
 * long as it was allowed), `neo4j.query-failed` otherwise. The driver's message names the server, never the credentials.
 */
function describeFailure(error: unknown, operation: string, where: string): KurultaiError {
  if (error instanceof KurultaiError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  const unavailable = isRetryableError(error);
  return new KurultaiError(
    unavailable ? 'neo4j.unavailable' : 'neo4j.query-failed',
    unavailable
      ? `${operation}: Neo4j at ${where} is unavailable (${detail}); the call may be retried`
      : `${operation} failed on Neo4j at ${where}: ${detail}`,
    { place: PLUGIN_PLACE, cause: error },
  );
}
