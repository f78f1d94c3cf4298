import type { MemoryInput } from '../sink/contract.js';
import type { Claim } from '../sink/contract.js';

/** Longest slice of an output or error quoted in a memory; the whole text stays on the task. */
const QUOTE_LIMIT = 500;

/** The `learning` an agent keeps from a completed task (importance 0.7), tagged with the task type and the source. */
export function completionMemory(claim: Claim, output: string): MemoryInput {
  return {
    agent: claim.decision.agent,
    kind: 'learning',
    content: `Completed "${claim.task.title}" (${claim.decision.type}): ${quote(output)}`,
    importance: 0.7,
    tags: memoryTags(claim),
    taskId: claim.task.id,
  };
}

/** The `observation` an agent keeps from a task that failed for good (importance 0.8), carrying the error. */
export function failureMemory(claim: Claim, error: string): MemoryInput {
  return {
    agent: claim.decision.agent,
    kind: 'observation',
    content: `Failed "${claim.task.title}" (${claim.decision.type}) after ${claim.lease.attempt} attempt(s): ${quote(error)}`,
    importance: 0.8,
    tags: memoryTags(claim),
    taskId: claim.task.id,
  };
}

function memoryTags(claim: Claim): string[] {
  return [claim.decision.type, claim.task.source];
}

function quote(text: string): string {
  const flat = text.trim();
  return flat.length <= QUOTE_LIMIT ? flat : `${flat.slice(0, QUOTE_LIMIT)}…`;
}
