import type { Council } from '../router/council.js';
import type { Decision } from '../router/decision.js';
import { calibrationReport, type CalibrationReport } from './calibration.js';
import type { LabelledExample } from './labelled-examples.js';

/** How one agent fared: of the tasks labelled for it, how many it got (recall); of those it got, how many were its. */
export interface AgentScore {
  /** Examples labelled for this agent. */
  readonly support: number;
  /** Examples routed to this agent. */
  readonly routed: number;
  readonly correct: number;
  /** correct / support; 1 when there is no example for the agent. */
  readonly recall: number;
  /** correct / routed; 1 when nothing was routed to the agent. */
  readonly precision: number;
}

export interface RoutingMiss {
  readonly example: LabelledExample;
  readonly decision: Decision;
}

/** What `kurultai test` reports: how a council routes a labelled set. */
export interface RoutingEvaluation {
  readonly total: number;
  readonly correct: number;
  readonly accuracy: number;
  /** Examples no rule matched (they went to the default agent), and their share of the total. */
  readonly noMatch: number;
  readonly noMatchRate: number;
  /** Per agent, in council order. */
  readonly agents: Readonly<Record<string, AgentScore>>;
  /** confusion[labelled][routed]: how many examples labelled for one agent went to each. */
  readonly confusion: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly calibration: CalibrationReport;
  readonly misses: readonly RoutingMiss[];
}

/** Routes every example as a task (its title and description, nothing else) and compares the agent with its label. */
export function evaluateRouting(council: Council, examples: readonly LabelledExample[]): RoutingEvaluation {
  const ids = council.agents.map((agent) => agent.id);
  const confusion = Object.fromEntries(ids.map((id) => [id, Object.fromEntries(ids.map((other) => [other, 0]))])) as Record<string, Record<string, number>>;
  const misses: RoutingMiss[] = [];
  const outcomes: { confidence: number; correct: boolean }[] = [];
  let noMatch = 0;
  for (const [index, example] of examples.entries()) {
    const decision = council.route({
      id: `example-${index + 1}`,
      title: example.title,
      source: 'examples',
      ...(example.description === undefined ? {} : { description: example.description }),
    });
    const row = confusion[example.expect];
    if (row !== undefined) row[decision.agent] = (row[decision.agent] ?? 0) + 1;
    if (decision.reason === 'default-agent') noMatch += 1;
    const correct = decision.agent === example.expect;
    if (!correct) misses.push({ example, decision });
    outcomes.push({ confidence: decision.confidence, correct });
  }
  const total = examples.length;
  const correct = total - misses.length;
  const agents = Object.fromEntries(ids.map((id) => [id, agentScore(id, ids, confusion)]));
  return {
    total,
    correct,
    accuracy: total === 0 ? 0 : correct / total,
    noMatch,
    noMatchRate: total === 0 ? 0 : noMatch / total,
    agents,
    confusion,
    calibration: calibrationReport(outcomes),
    misses,
  };
}

function agentScore(id: string, ids: readonly string[], confusion: Readonly<Record<string, Readonly<Record<string, number>>>>): AgentScore {
  const support = ids.reduce((sum, other) => sum + (confusion[id]?.[other] ?? 0), 0);
  const routed = ids.reduce((sum, other) => sum + (confusion[other]?.[id] ?? 0), 0);
  const correct = confusion[id]?.[id] ?? 0;
  return { support, routed, correct, recall: support === 0 ? 1 : correct / support, precision: routed === 0 ? 1 : correct / routed };
}
