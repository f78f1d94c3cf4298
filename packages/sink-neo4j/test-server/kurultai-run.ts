import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Neo4jEnv } from './neo4j-test-server.js';

// Real `kurultai run` worker processes on the Neo4j sink: the built CLI, a file source of numbered tasks, and the process
// spawner running a shell command that appends each run's idempotency key (`<task id>:<attempt>`) to runs.log, so every
// execution of a task is visible, including one that ran twice.

const BIN = fileURLToPath(new URL('../../cli/bin/kurultai.js', import.meta.url));
const SINK_PLUGIN = fileURLToPath(new URL('../dist/index.js', import.meta.url));

export interface RunFolder {
  readonly path: string;
  readonly taskIds: readonly string[];
  /** The idempotency keys of every run so far, one per execution. */
  runs(): string[];
  /** Starts `kurultai run --once` here against the Neo4j `env` names; resolves with its exit code and standard error. */
  startWorker(env: Neo4jEnv): { readonly exit: Promise<{ readonly code: number | null; readonly stderr: string }> };
  remove(): void;
}

/** A folder with a config naming this package's sink, and `tasks` numbered tasks in a JSON Lines file. */
export function createRunFolder(tasks: number, options: { readonly leaseSeconds: number; readonly concurrency: number }): RunFolder {
  for (const built of [BIN.replace(/bin\/kurultai\.js$/, 'dist/bin.js'), SINK_PLUGIN]) {
    if (!existsSync(built)) throw new Error(`${built} is missing: run \`pnpm turbo run build\` first`);
  }
  const path = mkdtempSync(join(tmpdir(), 'kurultai-neo4j-run-'));
  const taskIds = Array.from({ length: tasks }, (_, index) => `n-${String(index).padStart(4, '0')}`);
  writeFileSync(join(path, 'tasks.jsonl'), taskIds.map((id) => JSON.stringify({ id, title: `Implement endpoint ${id}` })).join('\n') + '\n');
  const runsLog = join(path, 'runs.log');
  const record = `printf '%s\\n' "$KURULTAI_IDEMPOTENCY_KEY" >> '${runsLog}'; cat > /dev/null; printf done`;
  writeFileSync(
    join(path, 'kurultai.config.yaml'),
    [
      'source: { use: file, with: { path: tasks.jsonl } }',
      `sink: { use: ${JSON.stringify(SINK_PLUGIN)} }`,
      `spawner: { use: process, with: { command: sh, args: ["-c", ${JSON.stringify(record)}] } }`,
      `dispatcher: { maxConcurrentTasks: ${options.concurrency}, leaseSeconds: ${options.leaseSeconds}, pollSeconds: 0.05, drainGraceSeconds: 1 }`,
    ].join('\n'),
  );
  return {
    path,
    taskIds,
    runs: () => (existsSync(runsLog) ? readFileSync(runsLog, 'utf8').split('\n').filter((line) => line !== '') : []),
    startWorker: (env) => {
      const child = spawn(process.execPath, [BIN, 'run', '--once'], {
        cwd: path,
        env: { ...process.env, ...env, KURULTAI_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exit = new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code) => resolve({ code, stderr }));
      });
      return { exit };
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/** How often each task reached `completed` in its history, and which workers claimed tasks, straight from the graph. */
export const COMPLETIONS_QUERY = `
MATCH (t:Task)
OPTIONAL MATCH (t)-[:HAS_STATUS]->(done:StatusChange {to: 'completed'})
WITH t, count(done) AS completions
OPTIONAL MATCH (t)-[:HAS_STATUS]->(claimed:StatusChange {to: 'in_progress'})
RETURN t.id AS id, completions, collect(DISTINCT claimed.workerId) AS workers ORDER BY id`;
