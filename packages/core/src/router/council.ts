import type { TaskInput } from '../task.js';
import type { Decision } from './decision.js';

/** An agent of the council, as `agents.yaml` describes it. */
export interface AgentPersona {
  readonly id: string;
  /** Display name, in real UTF-8 (Möngke, Temüjin, ...). */
  readonly name: string;
  readonly role: string;
  readonly instructions: string;
  /** Settings for the spawner (e.g. OpenClaw's `agentId`), passed through as written. */
  readonly spawn: Readonly<Record<string, unknown>>;
  /** At most this many of the agent's tasks run at once in one worker. Unlimited when absent. */
  readonly maxConcurrent?: number;
}

/**
 * The loaded, compiled rules and personas: what the dispatcher routes with. Immutable; a rules reload builds a new one.
 */
export interface Council {
  readonly agents: readonly AgentPersona[];
  readonly defaultAgent: string;
  /** When set, a decision whose confidence is below `below` is put to the `ask` agent (the orchestrator) to choose. */
  readonly fallback?: FallbackPolicy;
  /** Scores the task against every rule and picks an agent. Pure and synchronous. */
  route(task: TaskInput): Decision;
  /** The agent's persona prompt with the task fenced in as untrusted data. */
  prompt(agentId: string, task: TaskInput): string;
}

/** The rules' `fallback:` setting, compiled. */
export interface FallbackPolicy {
  readonly below: number;
  /** The orchestrator agent's id. */
  readonly ask: string;
  readonly timeoutMs: number;
}
