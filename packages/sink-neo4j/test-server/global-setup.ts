import { readFile } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { startNeo4jTestServer } from './neo4j-test-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Bolt URI of the Neo4j the tests use. */
    neo4jUri: string;
  }
}

/**
 * One Neo4j for the package's tests: the one `NEO4J_URI` names (with `NEO4J_USERNAME`/`NEO4J_PASSWORD`), else an
 * embedded Neo4j started here. If it cannot start, set-up throws and the run fails; no test is skipped.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env.NEO4J_URI;
  if (external !== undefined && external !== '') {
    project.provide('neo4jUri', external);
    return undefined;
  }
  const server = await startNeo4jTestServer();
  console.log(`sink-neo4j tests: Neo4j ${server.uri} ready in ${server.startedInMs} ms`);
  project.provide('neo4jUri', server.uri);
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
