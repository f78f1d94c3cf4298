import type { OwedWriteBack } from '@kurultai/core';

/**
 * Cypher fragments shared by the sink's writes. Their arguments are Cypher expressions written in this package (a
 * parameter such as `row.reason`, a literal such as `'completed'`), never task data: task data only ever travels as
 * query parameters.
 *
 * Each fragment expects `t` (the task) and `a` (its agent, via `ASSIGNED_TO`) in scope and keeps every variable in scope.
 */

/** A Cypher expression written in this package: a variable, a parameter (`row.reason`) or a literal (`'completed'`). */
export type CypherExpression = string;

/**
 * Appends a `StatusChange` to the task's history: linked from the task by `HAS_STATUS` and from the previous change by
 * `NEXT`, so Neo4j Browser shows the history as a chain. `attempt` is the task's attempt after the change.
 */
export function recordStatusChange(change: {
  readonly from: CypherExpression;
  readonly to: CypherExpression;
  readonly workerId?: CypherExpression;
  readonly reason?: CypherExpression;
}): string {
  return `
WITH *
MATCH (previous:StatusChange {taskId: t.id, seq: t.historyLength})
CREATE (t)-[:HAS_STATUS]->(change:StatusChange {
  taskId: t.id, seq: t.historyLength + 1, from: ${change.from}, to: ${change.to}, at: timestamp(), attempt: t.attempt,
  workerId: ${change.workerId ?? 'null'}, reason: ${change.reason ?? 'null'}
})
CREATE (previous)-[:NEXT]->(change)
SET t.historyLength = t.historyLength + 1`;
}

/**
 * Adds a write-back to the outbox, `(t)-[:OWES]->(:WriteBack)`, when `when` holds. Write-backs are numbered per task
 * (`n`) so they are sent in the order they happened.
 */
export function oweWriteBack(
  kind: OwedWriteBack['kind'],
  fields: { readonly output?: CypherExpression; readonly error?: CypherExpression; readonly when?: CypherExpression } = {},
): string {
  return `
FOREACH (owed IN CASE WHEN ${fields.when ?? 'true'} THEN [1] ELSE [] END |
  SET t.writeBacks = coalesce(t.writeBacks, 0) + 1
  CREATE (t)-[:OWES]->(:WriteBack {
    id: randomUUID(), kind: '${kind}', source: t.source, taskId: t.id, agent: a.id, attempt: t.attempt,
    output: ${fields.output ?? 'null'}, error: ${fields.error ?? 'null'}, n: t.writeBacks, createdAt: timestamp(),
    delivered: false
  })
)`;
}

/**
 * Stores the memory held in the variable `memory` (a map, or null for none):
 * `(:Agent)-[:REMEMBERS]->(:Memory)-[:ABOUT]->(:Task)`. Memories are numbered per agent so that "newest first" holds
 * within one millisecond too.
 */
export function rememberMemory(memory: string): string {
  return `
WITH *
CALL (${memory}) {
  WITH ${memory} AS memory WHERE memory IS NOT NULL
  MERGE (author:Agent {id: memory.agent})
  SET author.memories = coalesce(author.memories, 0) + 1
  CREATE (author)-[:REMEMBERS]->(m:Memory {
    id: randomUUID(), agent: memory.agent, kind: memory.kind, content: memory.content, importance: memory.importance,
    tags: memory.tags, taskId: memory.taskId, at: timestamp(), seq: author.memories
  })
  WITH m, memory
  OPTIONAL MATCH (about:Task {id: memory.taskId})
  FOREACH (task IN CASE WHEN about IS NULL THEN [] ELSE [about] END | CREATE (m)-[:ABOUT]->(task))
}`;
}

/**
 * Records the correction held in the variable `correction` (a map: `from`, `to`, `by`, `why`) as
 * `(:Task)-[:CORRECTED]->(:Correction)`, the correction linked `FROM` the agent the task had and `TO` the agent a person
 * chose. Corrections are numbered per task (`seq`), so those made in one millisecond keep their order.
 */
export function recordCorrection(correction: CypherExpression): string {
  return `
WITH *
MERGE (wrong:Agent {id: ${correction}.from})
MERGE (right:Agent {id: ${correction}.to})
SET t.corrections = coalesce(t.corrections, 0) + 1
CREATE (t)-[:CORRECTED]->(recorded:Correction {
  taskId: t.id, seq: t.corrections, from: ${correction}.from, to: ${correction}.to, by: ${correction}.by,
  why: ${correction}.why, at: timestamp()
}),
  (recorded)-[:FROM]->(wrong),
  (recorded)-[:TO]->(right)`;
}
