import { oneLine } from './untrusted-text.js';

/** The longest rationale kept: the prompt asks for one sentence, and a longer one is cut here. */
export const RATIONALE_MAX_CHARS = 300;
/** How much of an unknown agent's name a problem quotes. */
const QUOTED_AGENT_MAX_CHARS = 40;

/** The orchestrator's answer to the routing prompt: a choice within the council, or why it cannot be used. */
export type RoutingAnswer =
  | { readonly ok: true; readonly agent: string; readonly rationale: string }
  | { readonly ok: false; readonly problem: string };

/**
 * Reads the orchestrator's answer to `buildRoutingPrompt`: one JSON object `{"agent", "rationale"}`, on its own, in a
 * code fence, or among prose. The agent must be one of `agentIds` (its case aside); the rationale is made one line,
 * cleared of control characters and cut to `RATIONALE_MAX_CHARS`. An answer holding two different choices is refused:
 * it is not a choice. Problems quote none of the answer but a short, cleaned agent name, since a model may echo the task.
 */
export function readRoutingAnswer(answer: string, agentIds: readonly string[]): RoutingAnswer {
  const choices = distinct(jsonObjectsIn(answer).filter((object) => 'agent' in object));
  if (choices.length === 0) return refused('the answer holds no JSON object with an "agent"');
  if (choices.length > 1) return refused(`the answer holds ${choices.length} different choices`);
  const { agent, rationale } = choices[0] as Record<string, unknown>;
  if (typeof agent !== 'string') return refused('"agent" is not a string');
  const id = agent.trim().toLowerCase();
  if (!agentIds.includes(id)) return refused(`unknown agent "${cut(oneLine(agent), QUOTED_AGENT_MAX_CHARS)}"; the council has ${agentIds.join(', ')}`);
  const reason = typeof rationale === 'string' ? oneLine(rationale) : '';
  if (reason === '') return refused('the answer gives no "rationale"');
  return { ok: true, agent: id, rationale: cut(reason, RATIONALE_MAX_CHARS) };
}

function refused(problem: string): RoutingAnswer {
  return { ok: false, problem };
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function distinct(objects: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  const seen = new Map(objects.map((object) => [JSON.stringify(object), object]));
  return [...seen.values()];
}

/**
 * The outermost `{...}` spans of a text that parse as JSON objects, in order, wherever they stand (a code fence, prose
 * around them). One pass over the text: braces inside JSON strings do not count, and a span that does not parse is
 * skipped whole.
 */
function jsonObjectsIn(text: string): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  let depth = 0;
  let start = 0;
  let inString = false;
  let escaped = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (depth === 0) {
      if (char === '{') [depth, start] = [1, index];
    } else if (inString) {
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '{') {
      depth += 1;
    } else if (char === '}') {
      depth -= 1;
      if (depth === 0) {
        const object = parseObject(text.slice(start, index + 1));
        if (object !== undefined) found.push(object);
      }
    }
  }
  return found;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
