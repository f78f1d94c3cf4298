import type { Council } from '../router/council.js';
import type { OwedWriteBack, Sink } from '../sink/contract.js';
import type { Source, WriteBack } from '../source/contract.js';
import { describeError } from '../errors.js';
import type { Emit } from './events.js';

/** What delivering the write-back outbox needs. */
export interface WriteBackContext {
  readonly sink: Sink;
  /** The sources by instance name: a write-back goes to the source that delivered its task. */
  readonly sources: ReadonlyMap<string, Source>;
  readonly workerId: string;
  readonly leaseMs: number;
  readonly emit: Emit;
  /** The council in force: it names the agent of an `assigned` write-back. */
  readonly council: () => Council;
}

/** How much one delivery pass claims; a source is written to one update at a time. */
const WRITE_BACK_BATCH = 100;

/**
 * One pass over the outbox: claims write-backs, delivers them in order, and acknowledges the delivered ones. A refused
 * write-back is not acknowledged, so the sink offers it again once its claim lapses: that is the retry. Later updates of a
 * task whose earlier update was refused are held back too, so a source never sees `completed` before `in_progress`.
 * Answers how many write-backs were claimed (0: the outbox had nothing ready).
 */
export async function deliverWriteBacks(context: WriteBackContext): Promise<number> {
  const { sink, emit } = context;
  const pending = await sink.claimWriteBacks({ workerId: context.workerId, limit: WRITE_BACK_BATCH, leaseMs: context.leaseMs });
  const delivered: string[] = [];
  const heldBack = new Set<string>();
  for (const { id, source: sourceName, update: owed } of pending) {
    if (heldBack.has(owed.taskId)) continue;
    const update = withAgentName(owed, context.council());
    const source = context.sources.get(sourceName);
    try {
      if (source === undefined) throw new Error(`no source named ${sourceName} is configured`);
      await source.writeBack(update);
      delivered.push(id);
      emit('onWriteBack', { outcome: 'delivered', source: sourceName, update });
    } catch (error) {
      heldBack.add(update.taskId);
      emit('onWriteBack', { outcome: 'refused', source: sourceName, update, error: describeError(error) });
    }
  }
  if (delivered.length > 0) await sink.ackWriteBacks(delivered);
  return pending.length;
}

/** The write-back as the source is told it: an `assigned` one also names its agent as the council in force does. */
function withAgentName(update: OwedWriteBack, council: Council): WriteBack {
  if (update.kind !== 'assigned') return update;
  return { ...update, agentName: council.agents.find((agent) => agent.id === update.agent)?.name ?? update.agent };
}
