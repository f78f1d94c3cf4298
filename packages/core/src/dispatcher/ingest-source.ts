import type { Council } from '../router/council.js';
import type { Assignment, Sink } from '../sink/contract.js';
import type { Source } from '../source/contract.js';
import type { Spawner } from '../spawner/contract.js';
import { describeError } from '../errors.js';
import { consultOrchestrator, splitByConfidence } from './consult-orchestrator.js';
import type { Emit } from './events.js';
import { honourAssignees, reassignChosenAgents } from './source-assignees.js';

/**
 * Tasks routed and recorded together. A source's batch can be large (the file source sends 500); routing and recording it
 * in smaller chunks lets each chunk's decisions die young in V8's nursery instead of being promoted while the sink
 * writes. Measured on 100,000 queued tasks (bench/dispatch-memory.bench.ts): peak RSS 287 MB whole, 166 MB in chunks of 100.
 */
const RECORD_CHUNK = 100;

/** What reading a source into the ledger needs. */
export interface IngestContext {
  readonly source: Source;
  readonly sink: Sink;
  readonly council: () => Council;
  readonly emit: Emit;
  /** Runs the orchestrator agent on tasks the rules are unsure of, when the council has a fallback policy. */
  readonly spawner: Spawner;
  /** Called after each batch that brought new tasks, so the claim loop looks at once. */
  readonly onIngested: () => void;
}

/**
 * Reads the source from the cursor the sink holds, routes each batch, records it, and only then saves the batch's
 * cursor: a crash between the two re-delivers the batch, which the sink's idempotent ingest makes harmless, whereas the
 * other order could lose it. A person's choice of agent that the source reports (`task.assignee`) overrides the router
 * on a new task and reassigns a recorded one (see `source-assignees.ts`). Tasks the rules are unsure of wait for the
 * orchestrator (the council's fallback policy) while the others are recorded at once; a shutdown during that wait leaves
 * the batch's cursor unsaved. Answers how many new tasks were recorded.
 */
export async function ingestSource(context: IngestContext, options: { follow: boolean; signal: AbortSignal }): Promise<number> {
  const { source, sink, spawner, emit } = context;
  let recorded = 0;
  const cursor = await sink.getCursor(source.name);
  for await (const batch of source.read({ cursor, follow: options.follow, signal: options.signal })) {
    for (let start = 0; start < batch.tasks.length; start += RECORD_CHUNK) {
      const council = context.council();
      const routed = honourAssignees(routeBatch(batch.tasks.slice(start, start + RECORD_CHUNK), council, emit), council, emit);
      const { sure, unsure } = splitByConfidence(routed, council.fallback);
      recorded += await record(sure, context);
      const consulted = await consultOrchestrator(unsure, council, { sink, spawner, emit, signal: options.signal });
      recorded += await record(consulted.settled, context);
      if (consulted.interrupted) return recorded;
    }
    await sink.saveCursor(source.name, batch.cursor);
    if (options.signal.aborted) break;
  }
  return recorded;
}

/** Records routed tasks and announces the new ones; answers how many were new. */
async function record(assignments: readonly Assignment[], context: IngestContext): Promise<number> {
  if (assignments.length === 0) return 0;
  const { inserted } = await context.sink.ingest(assignments);
  const fresh = new Set(inserted);
  announce(assignments, fresh, context.emit);
  await reassignChosenAgents(assignments, fresh, context.sink, context.emit);
  if (inserted.length > 0) context.onIngested();
  return inserted.length;
}

function routeBatch(tasks: readonly Assignment['task'][], council: Council, emit: Emit): Assignment[] {
  const assignments: Assignment[] = [];
  for (const task of tasks) {
    try {
      assignments.push({ task, decision: council.route(task) });
    } catch (error) {
      // Routing is pure and total for valid tasks; a task it cannot route is reported and left out, not half-recorded.
      emit('onError', { stage: 'route', taskId: task.id, error: describeError(error) });
    }
  }
  return assignments;
}

function announce(assignments: readonly Assignment[], inserted: ReadonlySet<string>, emit: Emit): void {
  const at = new Date();
  for (const { task, decision } of assignments) {
    if (!inserted.has(task.id)) continue;
    emit('onTaskStatus', { taskId: task.id, agent: decision.agent, attempt: 1, at, to: 'assigned', title: task.title, decision });
  }
}
