import { setTimeout as sleep } from 'node:timers/promises';
import type { Decision } from '../router/decision.js';
import type { Assignment, MemoryInput } from '../sink/contract.js';
import type { Priority, TaskInput } from '../task.js';

/** The source name the suites give their sample tasks. */
export const CONFORMANCE_SOURCE = 'conformance';

/** A decision as the router would make it for `agent`, with nothing contested. */
export function sampleDecision(agent: string): Decision {
  return { agent, type: 'general', score: 1, scores: { [agent]: 1 }, margin: 1, matched: [], confidence: 1, reason: 'highest-score' };
}

/** A routed task for the sink suite. */
export function sampleAssignment(
  id: string,
  options: { readonly agent?: string; readonly priority?: Priority; readonly source?: string; readonly title?: string } = {},
): Assignment {
  const task: TaskInput = {
    id,
    title: options.title ?? `Task ${id}`,
    description: `Conformance task ${id}`,
    source: options.source ?? CONFORMANCE_SOURCE,
    tags: ['conformance'],
    ...(options.priority === undefined ? {} : { priority: options.priority }),
  };
  return { task, decision: sampleDecision(options.agent ?? 'researcher') };
}

/** A memory as the dispatcher writes it when a task ends. */
export function sampleMemory(taskId: string, agent: string, kind: MemoryInput['kind'] = 'learning'): MemoryInput {
  return {
    agent,
    kind,
    content: `${kind} from ${taskId}`,
    importance: kind === 'learning' ? 0.7 : 0.8,
    tags: ['general'],
    taskId,
  };
}

/**
 * Polls `check` until it holds. The suites wait this way instead of sleeping a fixed time, so a loaded machine makes them
 * slower, never wrong; `deadlineMs` only bounds a plugin that never gets there.
 */
export async function waitFor(what: string, check: () => Promise<boolean>, deadlineMs = 15_000): Promise<void> {
  const giveUpAt = Date.now() + deadlineMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > giveUpAt) throw new Error(`gave up after ${deadlineMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** Sleeps until the wall clock has passed `time` by `marginMs`. */
export async function sleepPast(time: Date, marginMs = 50): Promise<void> {
  const wait = time.getTime() + marginMs - Date.now();
  if (wait > 0) await sleep(wait);
}
