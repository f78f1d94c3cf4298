import { correctDecision } from '../router/correct-decision.js';
import type { Council } from '../router/council.js';
import { findAgent } from '../router/find-agent.js';
import type { Assignment, Sink } from '../sink/contract.js';
import type { Emit } from './events.js';

/**
 * Gives each routed task whose source reports a person's choice of agent (`task.assignee`) to that agent: its decision
 * becomes the correction of the router's, which the assignment carries for the ledger to record with a new task. An
 * assignee that names no agent of the council is set aside with a warning, and the router's decision stands.
 */
export function honourAssignees(assignments: readonly Assignment[], council: Council, emit: Emit): Assignment[] {
  return assignments.map((assignment) => {
    const { task, decision } = assignment;
    if (task.assignee === undefined) return assignment;
    const agent = findAgent(council.agents, task.assignee.agent);
    if (agent === undefined) {
      const message = `the assignee "${task.assignee.agent}" is no agent of the council; the task stays with ${decision.agent}`;
      emit('onWarning', { stage: 'assignee', taskId: task.id, message });
      return assignment;
    }
    const correction = { from: decision.agent, by: task.assignee.by ?? task.source };
    return { task, decision: correctDecision(decision, agent.id), correction };
  });
}

/**
 * For the tasks the ledger already had (not `inserted`), a person's choice that differs from the agent recorded is a
 * correction made where the task lives: the sink records it and moves the task if it has not started. A choice equal
 * to the recorded agent (Kurultai's own decision written back, or a correction already made) changes nothing.
 */
export async function reassignChosenAgents(
  assignments: readonly Assignment[],
  inserted: ReadonlySet<string>,
  sink: Sink,
  emit: Emit,
): Promise<void> {
  for (const { task, decision, correction } of assignments) {
    if (correction === undefined || inserted.has(task.id)) continue;
    const recorded = await sink.getTask(task.id);
    if (recorded === undefined || recorded.decision.agent === decision.agent) continue;
    const result = await sink.reassign({ taskId: task.id, to: decision.agent, by: correction.by });
    if (result.outcome === 'unknown_task') continue;
    const { from, to, by, at } = result.correction;
    emit('onCorrection', { taskId: task.id, from, to, by, moved: result.outcome === 'moved', at });
  }
}
