import { needsOrchestrator, type AgentPersona, type Council, type Decision, type RuleHit } from '@kurultai/core';
import { paint } from './paint.js';

const REASONS: Readonly<Record<Decision['reason'], string>> = {
  'highest-score': 'highest score',
  'tie-break': 'tie broken by the earliest matching word, then council order',
  'default-agent': 'no rule matched: the default agent',
  orchestrator: 'chosen by the orchestrator agent',
  correction: 'reassigned by a person',
};

/** The agent's display name, e.g. `Jochi`, or the id when the council does not know it. */
export function agentName(agents: readonly AgentPersona[], id: string): string {
  return agents.find((agent) => agent.id === id)?.name ?? id;
}

/** How the agent was chosen, in words, with the chooser's rationale when there is one. */
export function describeReason(decision: Decision): string {
  const words = REASONS[decision.reason];
  return decision.rationale === undefined ? words : `${words}: "${decision.rationale}"`;
}

/** The agent `kurultai run` asks to choose instead of taking this decision (the rules' fallback policy), if any. */
export function fallbackAgent(decision: Decision, council: Pick<Council, 'fallback'>): string | undefined {
  return needsOrchestrator(decision, council.fallback) ? council.fallback?.ask : undefined;
}

/** One rule hit as `rule-id +3 "unit tests"`, or with the condition that kept it from counting. */
export function describeHit(hit: RuleHit): string {
  const { keywordWeights } = hit;
  const words =
    keywordWeights === undefined
      ? hit.matchedText.map((text) => `"${text}"`).join(' ')
      : hit.keywords.map((keyword, index) => `"${keyword}" ${formatWeight(keywordWeights[index] ?? 0)}`).join(', ');
  const weight = hit.condition ? formatWeight(hit.weight) : '+0 (when failed)';
  return [hit.ruleId, weight, words].filter((part) => part !== '').join(' ');
}

/** A contribution as `+3` or `+1.42`: weights that `kurultai fit` writes carry two decimals. */
function formatWeight(weight: number): string {
  return `+${Number.isInteger(weight) ? weight : weight.toFixed(2)}`;
}

/**
 * The explanation table of `kurultai explain`: the winner, whom `kurultai run` would ask instead when the rules are
 * unsure (the fallback policy), then every agent with its score and the rules behind it.
 */
export function explainDecision(text: string, decision: Decision, council: Pick<Council, 'agents' | 'fallback'>, color: boolean): string {
  const { agents } = council;
  const lines = [
    paint(color, 'bold', text),
    `→ ${paint(color, 'green', agentName(agents, decision.agent))} (${decision.agent}), type ${decision.type}, score ${formatScore(decision.score)}, margin ${formatScore(decision.margin)}, confidence ${decision.confidence.toFixed(2)}: ${describeReason(decision)}`,
  ];
  const ask = fallbackAgent(decision, council);
  if (ask !== undefined) {
    lines.push(`  confidence below the fallback's ${council.fallback?.below}: \`kurultai run\` asks ${agentName(agents, ask)} (${ask}) to choose`);
  }
  lines.push('');
  const nameWidth = Math.max(5, ...agents.map((agent) => agent.name.length));
  lines.push(paint(color, 'dim', `${'agent'.padEnd(nameWidth)}  score  rules (weight, words as written, place)`));
  for (const agent of agents) {
    const hits = decision.matched.filter((hit) => hit.agent === agent.id);
    const score = formatScore(decision.scores[agent.id] ?? 0).padStart(5);
    const name = agent.name.padEnd(nameWidth);
    const [first, ...rest] = hits.map((hit) => `${describeHit(hit)}  ${paint(color, 'dim', hit.place ?? '')}`.trimEnd());
    const row = `${agent.id === decision.agent ? paint(color, 'green', name) : name}  ${score}  ${first ?? paint(color, 'dim', '-')}`;
    lines.push(row, ...rest.map((hit) => `${' '.repeat(nameWidth + 9)}${hit}`));
  }
  return `${lines.join('\n')}\n`;
}

function formatScore(score: number): string {
  return Number.isInteger(score) ? String(score) : score.toFixed(2);
}
