import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { KurultaiError, type Logger } from '@kurultai/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRunFolder } from '../test-server/kurultai-run.js';
import { type Neo4jTestServer, startNeo4jTestServer, TEST_SERVER_USERNAME } from '../test-server/neo4j-test-server.js';
import { assignment, queryGraph } from '../test-server/test-sink.js';
import { createNeo4jSink, type CreateNeo4jSinkOptions } from './neo4j-sink.js';

// A Neo4j of this file's own that requires a password: wrong logins here cannot lock the user of the run's shared one.
const password = randomBytes(18).toString('base64url');
const wrongPassword = `wrong-${randomBytes(12).toString('base64url')}`;
let server: Neo4jTestServer;

beforeAll(async () => {
  server = await startNeo4jTestServer({ password });
});
afterAll(async () => {
  await server?.dispose();
});
// Neo4j locks a user for 5 s after three wrong logins in a row; a right one in between starts the count again.
afterEach(async () => {
  await queryGraph('RETURN 1', {}, 'READ', server.env);
});

/** Everything a failure or a log could show a person: the error with its causes, and every line logged. */
function everythingShown(failure: unknown, logged: readonly string[]): string {
  return [inspect(failure, { depth: Infinity, showHidden: true }), ...logged].join('\n');
}

/** A logger that keeps every line, at every level, as text. */
function recordingLogger(): { readonly logger: Logger; readonly lines: string[] } {
  const lines: string[] = [];
  const record = (level: string) => (message: string, fields?: Readonly<Record<string, unknown>>) =>
    void lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') }, lines };
}

/** Starts a sink with these settings; answers what `init()` threw (undefined if nothing) and what it logged. */
async function initSink(options: CreateNeo4jSinkOptions): Promise<{ readonly failure: unknown; readonly logged: readonly string[] }> {
  const { logger, lines } = recordingLogger();
  const sink = createNeo4jSink({ env: {}, logger, ...options });
  const failure = await sink.init().then(() => undefined, (error: unknown) => error);
  await sink.close();
  return { failure, logged: lines };
}

describe('a Neo4j that requires a password', () => {
  it('was given its password through the environment: its command line, which ps shows everyone, has none', () => {
    const commandLine = execFileSync('ps', ['-o', 'args=', '-p', String(server.pid)], { encoding: 'utf8' });

    expect(commandLine).toContain('Neo4jLauncher');
    expect(commandLine).toContain('--auth');
    expect(commandLine).not.toContain(password);
  });

  it('lets the sink in with the right password, and the sink stores and reads back a task', async () => {
    const sink = createNeo4jSink({ uri: server.uri, username: TEST_SERVER_USERNAME, password });
    await sink.init();
    await sink.ingest([assignment('auth-1', 'coder')]);

    const stored = await sink.getTask('auth-1');
    await sink.close();

    expect(stored?.task.title).toBe('Task auth-1');
  });

  it('logs where the sink connected, never the password', async () => {
    const { failure, logged } = await initSink({ uri: server.uri, username: TEST_SERVER_USERNAME, password });

    expect(failure).toBeUndefined();
    expect(logged.join('\n')).toContain(server.uri);
    expect(logged.join('\n')).not.toContain(password);
  });

  it('fails init() with neo4j.unauthorized naming the plugin, the server and the user when the password is wrong', async () => {
    const { failure } = await initSink({ uri: server.uri, username: TEST_SERVER_USERNAME, password: wrongPassword });

    expect(failure).toBeInstanceOf(KurultaiError);
    expect(failure).toMatchObject({ code: 'neo4j.unauthorized', place: { plugin: 'neo4j' } });
    expect(String(failure)).toContain(`neo4j: init: Neo4j at ${server.uri} refused the user "neo4j"`);
  });

  it('shows neither password in the error, its causes or the log when the password is wrong', async () => {
    const { failure, logged } = await initSink({ uri: server.uri, username: TEST_SERVER_USERNAME, password: wrongPassword });

    expect(failure).toBeInstanceOf(KurultaiError);
    const shown = everythingShown(failure, logged);
    expect(shown).not.toContain(wrongPassword);
    expect(shown).not.toContain(password);
  });

  it('fails init() with neo4j.unauthorized when no credentials are given at all', async () => {
    const { failure } = await initSink({ uri: server.uri });

    expect(failure).toMatchObject({ code: 'neo4j.unauthorized' });
    expect(String(failure)).toContain(`Neo4j at ${server.uri} refused a connection without credentials`);
  });
});

describe('credentials written into the URI', () => {
  const withCredentials = (secret: string) => server.uri.replace('bolt://', `bolt://${TEST_SERVER_USERNAME}:${encodeURIComponent(secret)}@`);

  it('logs in with them, and logs the URI without them', async () => {
    const { failure, logged } = await initSink({ uri: withCredentials(password) });

    expect(failure).toBeUndefined();
    expect(logged.join('\n')).toContain(`"uri":"${server.uri}"`);
    expect(logged.join('\n')).not.toContain(password);
  });

  it('shows the URI without them when Neo4j refuses them', async () => {
    const { failure, logged } = await initSink({ uri: withCredentials(wrongPassword) });

    expect(failure).toMatchObject({ code: 'neo4j.unauthorized' });
    expect(String(failure)).toContain(`Neo4j at ${server.uri} refused the user "neo4j"`);
    expect(everythingShown(failure, logged)).not.toContain(wrongPassword);
  });
});

describe('a kurultai run worker', () => {
  it('given a wrong NEO4J_PASSWORD, exits non-zero with one line naming the plugin and the server, and prints no password', async () => {
    const folder = createRunFolder(1, { leaseSeconds: 30, concurrency: 1 });
    try {
      const { code, stderr } = await folder.startWorker({ ...server.env, NEO4J_PASSWORD: wrongPassword }).exit;

      expect(code).not.toBe(0);
      expect(stderr.trim().split('\n')).toEqual([expect.stringContaining(`neo4j: init: Neo4j at ${server.uri} refused the user "neo4j"`)]);
      expect(stderr).not.toContain(wrongPassword);
      expect(folder.runs()).toEqual([]);
    } finally {
      folder.remove();
    }
  });
});
