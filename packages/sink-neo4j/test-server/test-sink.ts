import type { Assignment, Decision, Sink, TaskInput } from '@kurultai/core';
import neo4j from 'neo4j-driver';
import { inject } from 'vitest';
import { createNeo4jSink } from '../src/neo4j-sink.js';
import type { Neo4jEnv } from './neo4j-test-server.js';

/** The Neo4j of this test run (see global-setup.ts): its URI and the credentials it takes, as a sink reads them. */
export function testConnection(): Neo4jEnv {
  return inject('neo4jEnv');
}

/** A sink on its own driver, as a separate worker process would have, initialised. */
export async function openTestSink(): Promise<Sink> {
  const sink = createNeo4jSink({ env: testConnection() });
  await sink.init();
  return sink;
}

/** Empties the database (in slices, so a large leftover graph does not need one huge transaction). */
export async function wipeGraph(): Promise<void> {
  for (;;) {
    const [deleted] = await queryGraph('MATCH (n) WITH n LIMIT 5000 DETACH DELETE n RETURN count(*) AS deleted', {}, 'WRITE');
    if (deleted?.deleted === 0) return;
  }
}

/** Runs Cypher on a driver of its own, for tests that look at the graph itself rather than through the sink. */
export async function queryGraph(
  cypher: string,
  params: Record<string, unknown> = {},
  routing: 'READ' | 'WRITE' = 'READ',
  env: Neo4jEnv = testConnection(),
): Promise<Record<string, unknown>[]> {
  const auth = env.NEO4J_USERNAME === '' ? undefined : neo4j.auth.basic(env.NEO4J_USERNAME, env.NEO4J_PASSWORD);
  const driver = neo4j.driver(env.NEO4J_URI, auth, { disableLosslessIntegers: true });
  try {
    const { records } = await driver.executeQuery(cypher, params, { database: env.NEO4J_DATABASE || undefined, routing });
    return records.map((record) => record.toObject());
  } finally {
    await driver.close();
  }
}

/** An assignment of a task to `agent`, as the router would hand it over. */
export function assignment(id: string, agent: string, task: Partial<TaskInput> = {}): Assignment {
  const decision: Decision = {
    agent,
    type: 'general',
    score: 5,
    scores: { [agent]: 5, other: 1 },
    margin: 4,
    matched: [{ ruleId: `${agent}-rule`, agent, weight: 5, keywords: ['fix'], matchedText: ['fix'], condition: true }],
    confidence: 0.9,
    reason: 'highest-score',
  };
  return { task: { id, title: `Task ${id}`, source: 'test', ...task }, decision };
}
