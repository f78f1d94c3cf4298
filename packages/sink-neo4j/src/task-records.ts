import type { Assignment, Decision, Priority, RuleHit, TaskInput, TaskStatus } from '@kurultai/core';

/**
 * How tasks and decisions are laid out as node and relationship properties, and read back. Neo4j stores no nested maps,
 * so a task's free-form `properties` and a decision's `scores` and `matched` rules are JSON strings; everything a person
 * filters on in Neo4j Browser (status, priority, title, agent, score, type) is a plain property.
 */

const PRIORITY_RANK: Readonly<Record<Priority, number>> = { critical: 0, high: 1, normal: 2, low: 3 };

/** The parameters `ingest` sends for one assignment. */
export interface AssignmentRow {
  readonly id: string;
  readonly agent: string;
  /** Its place in the ingested batch, so tasks created in the same millisecond still keep their order. */
  readonly position: number;
  readonly task: Readonly<Record<string, unknown>>;
  readonly decision: Readonly<Record<string, unknown>>;
  /** A person's choice made before the task was recorded: the correction to record with it, or null. */
  readonly correction: Readonly<Record<string, unknown>> | null;
}

export function toAssignmentRow(assignment: Assignment, position: number): AssignmentRow {
  const { task, decision, correction } = assignment;
  return {
    id: task.id,
    agent: decision.agent,
    position,
    task: {
      title: task.title,
      description: task.description ?? null,
      priority: task.priority ?? null,
      priorityRank: PRIORITY_RANK[task.priority ?? 'normal'],
      tags: task.tags === undefined ? null : [...task.tags],
      source: task.source,
      properties: task.properties === undefined ? null : JSON.stringify(task.properties),
    },
    decision: decisionProperties(decision),
    correction:
      correction === undefined ? null : { from: correction.from, to: decision.agent, by: correction.by, why: correction.why ?? null },
  };
}

/** The properties of an `ASSIGNED_TO` relationship: the decision but its agent, which is the relationship's end. */
export function decisionProperties(decision: Decision): Readonly<Record<string, unknown>> {
  return {
    type: decision.type,
    score: decision.score,
    margin: decision.margin,
    confidence: decision.confidence,
    reason: decision.reason,
    rationale: decision.rationale ?? null,
    explanation: explainDecision(decision),
    scores: JSON.stringify(decision.scores),
    matched: JSON.stringify(decision.matched),
  };
}

/**
 * One line a person reads on the `ASSIGNED_TO` relationship in Neo4j Browser. The orchestrator's choice comes with its
 * rationale, and the numbers are then the rules' pick's, which were not sure enough.
 */
function explainDecision(decision: Decision): string {
  const numbers = `scored ${decision.score}, margin ${decision.margin}, confidence ${decision.confidence}`;
  if (decision.reason === 'orchestrator') return `orchestrator: ${decision.agent}, "${decision.rationale ?? ''}"; the rules' pick ${numbers}`;
  const rules = decision.matched.filter((hit) => hit.agent === decision.agent).map((hit) => `${hit.ruleId} (+${hit.weight})`);
  const because = rules.length === 0 ? 'no rule matched' : `rules ${rules.join(', ')}`;
  return `${decision.reason}: ${decision.agent} ${numbers}; ${because}`;
}

/** What queries return for a task: `RETURN t {.*} AS task, d {.*} AS decision, a.id AS agent`. */
export interface TaskRecordFields {
  readonly task: Readonly<Record<string, unknown>>;
  readonly decision: Readonly<Record<string, unknown>>;
  readonly agent: string;
}

/** The Cypher projection that yields `TaskRecordFields`, for queries that have matched `(t)-[d:ASSIGNED_TO]->(a)`. */
export const TASK_RECORD_PROJECTION = 't {.*} AS task, d {.*} AS decision, a.id AS agent';

export function readTaskInput(task: Readonly<Record<string, unknown>>): TaskInput {
  const optional = {
    ...(task.description == null ? {} : { description: String(task.description) }),
    ...(task.priority == null ? {} : { priority: task.priority as Priority }),
    ...(task.tags == null ? {} : { tags: (task.tags as unknown[]).map(String) }),
    ...(task.properties == null ? {} : { properties: JSON.parse(String(task.properties)) as Record<string, unknown> }),
  };
  return { id: String(task.id), title: String(task.title), source: String(task.source), ...optional };
}

export function readDecision(decision: Readonly<Record<string, unknown>>, agent: string): Decision {
  return {
    agent,
    type: String(decision.type),
    score: Number(decision.score),
    scores: JSON.parse(String(decision.scores)) as Record<string, number>,
    margin: Number(decision.margin),
    matched: JSON.parse(String(decision.matched)) as RuleHit[],
    confidence: Number(decision.confidence ?? 0),
    reason: decision.reason as Decision['reason'],
    ...(decision.rationale == null ? {} : { rationale: String(decision.rationale) }),
  };
}

export function readStatus(value: unknown): TaskStatus {
  return value as TaskStatus;
}

/** Neo4j keeps times as epoch milliseconds from its own clock (`timestamp()`). */
export function readTime(value: unknown): Date {
  return new Date(Number(value));
}
