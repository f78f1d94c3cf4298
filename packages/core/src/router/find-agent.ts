import type { AgentPersona } from './council.js';

/**
 * The council's agent a person means by `name`: its id or its display name, whatever the case and accents
 * ("ogedei", "Ögedei", "OGEDEI"), with surrounding spaces ignored; an id wins over another agent's display name.
 * Undefined when no agent answers to it.
 */
export function findAgent(agents: readonly AgentPersona[], name: string): AgentPersona | undefined {
  const wanted = foldName(name);
  return agents.find((agent) => foldName(agent.id) === wanted) ?? agents.find((agent) => foldName(agent.name) === wanted);
}

/** Lower case without diacritics: how people type a name they saw written with them. */
function foldName(name: string): string {
  return name.trim().normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
