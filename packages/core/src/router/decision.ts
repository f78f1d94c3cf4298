/**
 * One rule that matched a task, and what it contributed. A rule whose keywords matched but whose `when` condition did
 * not hold is listed too, with `condition: false` and weight 0, so an explanation shows why it did not count.
 */
export interface RuleHit {
  readonly ruleId: string;
  readonly agent: string;
  /** What the rule added to its agent's score: its weight, or 0 when its condition did not hold. */
  readonly weight: number;
  /** The task type the rule assigns, if it names one. */
  readonly type?: string;
  /** The rule's keywords that matched, as written in the rule. */
  readonly keywords: readonly string[];
  /** For a rule with per-word `weights`: what each of `keywords` added, in the same order. */
  readonly keywordWeights?: readonly number[];
  /** The words of the task that matched them, as written in the task. */
  readonly matchedText: readonly string[];
  /** Whether the rule's `when` condition held (rules without one count as true). */
  readonly condition: boolean;
  /** The file and line the rule was loaded from, for explanations. */
  readonly place?: string;
}

/**
 * Why a task goes to an agent: the router's whole answer, stored with the assignment and shown by `kurultai explain`.
 *
 * When the orchestrator agent chose (reason `orchestrator`), `agent`, `type`, `reason` and `rationale` are its choice,
 * and the numbers (`score`, `scores`, `margin`, `matched`, `confidence`) stay the rules' own, to show what the rules
 * thought and how unsure they were.
 */
export interface Decision {
  /** The chosen agent's id. */
  readonly agent: string;
  /** The task type, from the chosen agent's highest-weighted matching rule that names one; `general` otherwise. */
  readonly type: string;
  /** The rules' winner's total score. */
  readonly score: number;
  /** Every agent's total score, including zeros, in council order. */
  readonly scores: Readonly<Record<string, number>>;
  /** The winner's score minus the runner-up's. */
  readonly margin: number;
  /** Every rule that fired (or matched keywords but failed its condition), for every agent, highest weight first. */
  readonly matched: readonly RuleHit[];
  /**
   * How likely the rules' winner is the right one, from 0 to 1: the softmax of the scores divided by the council's
   * calibration temperature. With a temperature fitted on held-out examples, decisions at 0.8 are right about 80% of
   * the time. Below the fallback policy's `below`, the orchestrator agent is asked to choose.
   */
  readonly confidence: number;
  /** How the agent was chosen. */
  readonly reason: DecisionReason;
  /** Why, in the words of whoever chose: the orchestrator agent's rationale, or a person's note on a correction. */
  readonly rationale?: string;
}

/**
 * `highest-score`, `tie-break` and `default-agent` are the rules' own verdicts; `orchestrator` is the orchestrator
 * agent's choice for a task the rules were unsure of (the fallback policy); `correction` is a person's reassignment.
 */
export type DecisionReason = 'highest-score' | 'tie-break' | 'default-agent' | 'orchestrator' | 'correction';
