import type { Decision } from './decision.js';

/**
 * A person's choice of agent as a decision: `agent`, reason `correction`, confidence 1 and the person's `why` as the
 * rationale. The router's scores and matched rules are kept, so an explanation still shows what the rules saw; the
 * score, margin (over the best other agent, negative when the rules preferred another) and type are the chosen agent's.
 */
export function correctDecision(decision: Decision, agent: string, why?: string): Decision {
  const { rationale: _routerRationale, ...routed } = decision;
  const score = decision.scores[agent] ?? 0;
  const others = Object.entries(decision.scores).filter(([id]) => id !== agent).map(([, other]) => other);
  const typed = decision.matched.find((hit) => hit.agent === agent && hit.condition && hit.type !== undefined);
  return {
    ...routed,
    agent,
    type: typed?.type ?? 'general',
    score,
    margin: score - Math.max(0, ...others),
    confidence: 1,
    reason: 'correction',
    ...(why === undefined ? {} : { rationale: why }),
  };
}
