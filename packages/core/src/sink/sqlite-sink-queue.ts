import type { StatementSync } from 'node:sqlite';
import type { ClaimRequest } from './contract.js';

/** A runnable task at the head of the queue, with what orders it. */
export interface QueueRow {
  readonly id: string;
  readonly agent: string;
  readonly status: string;
  readonly priority_rank: number;
  readonly created_at: number;
  readonly seq: number;
}

/** Prepares (or reuses) a statement on the sink's connection. */
export type Sql = (text: string) => StatementSync;

const RUNNABLE = `status IN ('assigned', 'retrying') AND not_before <= ?`;
const QUEUE_ORDER = 'ORDER BY priority_rank, created_at, rowid';
const COLUMNS = 'id, agent, status, priority_rank, created_at, rowid AS seq';

/**
 * How many tasks of agents without a free slot the walk down the queue passes before it looks agent by agent instead:
 * one agent's backlog of thousands must not make every claim read all of it.
 */
const WALK_SKIP_BUDGET = 64;

/**
 * The runnable tasks a claim takes: most urgent first, then oldest, at most `limit`, and no more of an agent's than its
 * free slots. Read before any row is changed.
 */
export function pickRunnable(sql: Sql, request: ClaimRequest, now: number): readonly QueueRow[] {
  if (request.limit <= 0) return [];
  return walkQueue(sql, request, now) ?? pickAgentByAgent(sql, request, now);
}

function slotsOf(request: ClaimRequest, agent: string): number {
  return Math.min(request.limit, request.perAgent?.[agent] ?? request.limit);
}

/** The common case: the head of the queue holds what the claim takes. Undefined when too many tasks had to be passed. */
function walkQueue(sql: Sql, request: ClaimRequest, now: number): QueueRow[] | undefined {
  const picked: QueueRow[] = [];
  const taken = new Map<string, number>();
  const full = Object.keys(request.perAgent ?? {}).filter((agent) => slotsOf(request, agent) <= 0);
  let skipped = 0;
  // Most claims find every agent with a free slot: they skip building and probing the list of full agents.
  const rows =
    full.length === 0
      ? sql(`SELECT ${COLUMNS} FROM tasks WHERE ${RUNNABLE} ${QUEUE_ORDER}`).iterate(now)
      : sql(
          `SELECT ${COLUMNS} FROM tasks WHERE ${RUNNABLE} AND agent NOT IN (SELECT value FROM json_each(?)) ${QUEUE_ORDER}`,
        ).iterate(now, JSON.stringify(full));
  for (const raw of rows) {
    const row = raw as unknown as QueueRow;
    const used = taken.get(row.agent) ?? 0;
    if (used >= slotsOf(request, row.agent)) {
      skipped += 1;
      if (skipped > WALK_SKIP_BUDGET) return undefined;
      continue;
    }
    taken.set(row.agent, used + 1);
    picked.push(row);
    if (picked.length >= request.limit) break;
  }
  return picked;
}

/** Each queued agent's own head (through the per-agent index), merged in queue order. */
function pickAgentByAgent(sql: Sql, request: ClaimRequest, now: number): QueueRow[] {
  // A skip-scan: one index seek per distinct agent, however long each agent's backlog is.
  const agents = sql(
    `WITH RECURSIVE queued(agent) AS (
       SELECT min(agent) FROM tasks WHERE status IN ('assigned', 'retrying')
       UNION ALL
       SELECT (SELECT min(agent) FROM tasks WHERE status IN ('assigned', 'retrying') AND agent > queued.agent)
       FROM queued WHERE agent IS NOT NULL)
     SELECT agent FROM queued WHERE agent IS NOT NULL`,
  )
    .all()
    .map((row) => (row as { agent: string }).agent);
  const head = sql(`SELECT ${COLUMNS} FROM tasks WHERE ${RUNNABLE} AND agent = ? ${QUEUE_ORDER} LIMIT ?`);
  const candidates = agents.flatMap((agent) => {
    const slots = slotsOf(request, agent);
    return slots <= 0 ? [] : head.all(now, agent, slots).map((row) => row as unknown as QueueRow);
  });
  candidates.sort((a, b) => a.priority_rank - b.priority_rank || a.created_at - b.created_at || a.seq - b.seq);
  return candidates.slice(0, request.limit);
}
