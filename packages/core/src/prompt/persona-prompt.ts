import type { AgentPersona } from '../router/council.js';
import type { TaskInput } from '../task.js';
import { fencedTask } from './fenced-task.js';

/** Builds an agent's prompt: its persona first, then the task as fenced, labelled data (see `fencedTask`). */
export function buildPersonaPrompt(persona: AgentPersona, task: TaskInput): string {
  return [`You are ${persona.name}, ${persona.role}`, '', persona.instructions.trim(), '', ...fencedTask('Your task', task)].join('\n');
}
