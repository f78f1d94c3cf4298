import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { type Neo4jEnv, startNeo4jTestServer } from './neo4j-test-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** How the tests reach the Neo4j of this run: the variables the sink and `kurultai run` read. */
    neo4jEnv: Neo4jEnv;
  }
}

/**
 * One Neo4j for the package's tests: the one `NEO4J_URI` names (with `NEO4J_USERNAME`/`NEO4J_PASSWORD`), else an
 * embedded Neo4j started here. If it cannot start, set-up throws and the run fails; no test is skipped.
 *
 * The embedded one requires a password, as every production Neo4j does, so every test logs in the way users do. The
 * password is new for each run and reaches Neo4j and the tests through the environment alone.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env.NEO4J_URI;
  if (external !== undefined && external !== '') {
    const { NEO4J_USERNAME = '', NEO4J_PASSWORD = '', NEO4J_DATABASE = '' } = process.env;
    project.provide('neo4jEnv', { NEO4J_URI: external, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE });
    return undefined;
  }
  const server = await startNeo4jTestServer({ password: randomBytes(18).toString('base64url') });
  console.log(`sink-neo4j tests: Neo4j ${server.uri} (authentication on) ready in ${server.startedInMs} ms`);
  project.provide('neo4jEnv', server.env);
  return async () => {
    const peak = await peakResidentMiB(server.pid);
    if (peak !== undefined) console.log(`sink-neo4j tests: Neo4j's peak resident memory was ${peak} MiB`);
    await server.dispose();
  };
}

/** The process's peak RSS (`VmHWM`), where /proc tells it (Linux). */
async function peakResidentMiB(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  return kib === undefined ? undefined : Math.round(Number(kib) / 1024);
}
