import type { FallbackPolicy } from './council.js';
import type { Decision, DecisionReason } from './decision.js';

/** The rules' own verdicts: only these are put to the orchestrator, never a choice a person made. */
const RULES_REASONS: ReadonlySet<DecisionReason> = new Set(['highest-score', 'tie-break', 'default-agent']);

/** Whether the council's fallback policy puts this decision to the orchestrator: a rules' verdict below `below`. */
export function needsOrchestrator(decision: Decision, policy: FallbackPolicy | undefined): boolean {
  return policy !== undefined && RULES_REASONS.has(decision.reason) && decision.confidence < policy.below;
}
