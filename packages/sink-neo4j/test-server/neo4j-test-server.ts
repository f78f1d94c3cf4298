import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./neo4j-test-server.sh', import.meta.url));
const READY = /^neo4j-test-server ready (bolt:\/\/\S+)$/m;

/**
 * The variables a sink, or a `kurultai run` worker, reads to reach a Neo4j. An empty value means not set: the sink
 * then connects without authentication, to the server's default database.
 */
export type Neo4jEnv = Readonly<Record<'NEO4J_URI' | 'NEO4J_USERNAME' | 'NEO4J_PASSWORD' | 'NEO4J_DATABASE', string>>;

/** The user a test server with authentication lets in. */
export const TEST_SERVER_USERNAME = 'neo4j';

/** A running embedded Neo4j started by `neo4j-test-server.sh`, owned by this process. */
export interface Neo4jTestServer {
  readonly uri: string;
  /** How to connect: the URI and, when authentication is on, its user and password. */
  readonly env: Neo4jEnv;
  readonly port: number;
  /** The data folder; a restart on it finds the same graph. */
  readonly home: string;
  readonly pid: number;
  /** Milliseconds from spawn to the ready line. */
  readonly startedInMs: number;
  /** Stops Neo4j (SIGTERM, a clean shutdown) and waits for it to exit. */
  stop(): Promise<void>;
  /** Stops Neo4j and deletes its data folder, when this process created it. */
  dispose(): Promise<void>;
}

export interface StartOptions {
  /** Reuse a data folder (a restart). Default: a fresh temporary folder, deleted by `dispose`. */
  readonly home?: string;
  /** Default 0: a free port. A restart passes the previous port so clients reconnect to the same address. */
  readonly port?: number;
  /**
   * Turns authentication on: clients must log in as `neo4j` with this password (at least 8 characters). It reaches
   * Neo4j through the environment, never the command line, which `ps` shows to everyone. Default: authentication off.
   */
  readonly password?: string;
  readonly timeoutMs?: number;
}

/**
 * Starts Neo4j and resolves once Bolt accepts connections. Rejects, with the server's last output, when it exits or is
 * not ready in time: tests that need Neo4j must then fail, never skip. The server holds a pipe to this process as its
 * standard input and stops when it closes, so a killed test run leaves no Neo4j behind.
 */
export async function startNeo4jTestServer(options: StartOptions = {}): Promise<Neo4jTestServer> {
  const ownsHome = options.home === undefined;
  const home = options.home ?? (await mkdtemp(join(tmpdir(), 'kurultai-neo4j-')));
  const began = performance.now();
  const { password } = options;
  const auth = password === undefined ? [] : ['--auth'];
  const child = spawn(SCRIPT, ['run', '--home', home, '--port', String(options.port ?? 0), ...auth, '--stop-on-stdin-eof'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: password === undefined ? process.env : { ...process.env, NEO4J_TEST_SERVER_PASSWORD: password },
  });
  const uri = await waitForReady(child, options.timeoutMs ?? 120_000);
  const startedInMs = Math.round(performance.now() - began);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdout?.resume();
  child.stderr?.resume();
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return {
    uri,
    env: {
      NEO4J_URI: uri,
      NEO4J_USERNAME: password === undefined ? '' : TEST_SERVER_USERNAME,
      NEO4J_PASSWORD: password ?? '',
      NEO4J_DATABASE: '',
    },
    port: Number(new URL(uri).port),
    home,
    pid: child.pid ?? -1,
    startedInMs,
    stop,
    dispose: async () => {
      await stop();
      if (ownsHome) await rm(home, { recursive: true, force: true });
    },
  };
}

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    // The ready line is looked for in standard output alone: standard error (Maven's or the JVM's) may end without a
    // newline, and joined to the ready line it would hide it.
    let output = '';
    let stdout = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`Neo4j test server ${why}. Its last output:\n${output.slice(-4000)}`));
    };
    const timer = setTimeout(() => fail(`was not ready after ${timeoutMs} ms`), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      stdout += chunk.toString();
      const ready = READY.exec(stdout);
      if (ready?.[1] === undefined) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve(ready[1]);
    };
    const onExit = (code: number | null) => fail(`exited with code ${code} before it was ready`);
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', onExit);
    child.once('error', (error) => fail(`could not be started (${error.message})`));
  });
}
