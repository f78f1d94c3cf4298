import type { TaskInput } from '../task.js';
import type { CompiledCondition } from './compile-condition.js';
import type { Decision, RuleHit } from './decision.js';
import { tokenizeText, type KeywordMatch, type KeywordMatcher } from './keyword-matcher.js';
import { taskFacts, type TaskFacts } from './task-facts.js';

/** A rule ready to score: its agent by index, its keywords inside the shared matcher, its condition a function. */
export interface CompiledRule {
  readonly id: string;
  readonly agent: string;
  readonly agentIndex: number;
  readonly type: string | undefined;
  readonly weight: number;
  /** A rule with `weights`: each keyword found adds its own weight, instead of the rule adding `weight` once. */
  readonly keywordWeights?: ReadonlyMap<string, number>;
  readonly hasKeywords: boolean;
  readonly when: CompiledCondition | undefined;
  /** `file:line:col` of the rule, for explanations. */
  readonly place: string;
}

/** Everything `routeTask` needs, built once by `compileCouncil`. */
export interface CompiledRules {
  readonly agentIds: readonly string[];
  readonly defaultAgent: string;
  readonly rules: readonly CompiledRule[];
  readonly matcher: KeywordMatcher;
  /** The calibration temperature: confidence is softmax(score / temperature). 1 when the rules set none. */
  readonly temperature: number;
}

/** The keywords one rule matched in one task, and where the first of them stood. */
interface RuleKeywords {
  readonly keywords: string[];
  readonly matchedText: string[];
  readonly firstAt: number;
  /** Where the last quoted words end, so "tests" inside an already quoted "unit tests" is not quoted again. */
  quotedUntil: number;
}

/** The type of a task no typed rule decided. */
export const GENERAL_TYPE = 'general';
/** Keywords are looked for in the title and this much of the description: enough for its opening, bounded for long pages. */
export const DESCRIPTION_SCAN_LIMIT = 2000;

/**
 * Scores a task: every rule whose keywords matched (or that has none) and whose `when` holds adds its weight to its
 * agent, once however many of its keywords matched. The highest total wins. Ties go to the tied agent whose matched
 * words come first in the task (the title's leading verb usually names the work: "Write tests for..." is testing),
 * then to the agent listed first in agents.yaml. No score at all gives the default agent.
 */
export function routeTask(compiled: CompiledRules, task: TaskInput): Decision {
  const keywordsByRule = matchKeywords(compiled, task);
  let facts: TaskFacts | undefined;
  const scores = new Array<number>(compiled.agentIds.length).fill(0);
  const firstAt = new Array<number>(compiled.agentIds.length).fill(Number.POSITIVE_INFINITY);
  const hits: RuleHit[] = [];

  for (let index = 0; index < compiled.rules.length; index += 1) {
    const rule = compiled.rules[index] as CompiledRule;
    const found = keywordsByRule[index];
    if (found === undefined && rule.hasKeywords) continue;
    const condition = rule.when === undefined || rule.when((facts ??= taskFacts(task)));
    if (!condition && found === undefined) continue;
    const keywordWeights = rule.keywordWeights === undefined ? undefined : (found?.keywords ?? []).map((keyword) => rule.keywordWeights?.get(keyword) ?? 0);
    const weight = keywordWeights === undefined ? rule.weight : roundScore(keywordWeights.reduce((sum, each) => sum + each, 0));
    if (condition) {
      scores[rule.agentIndex] = (scores[rule.agentIndex] ?? 0) + weight;
      firstAt[rule.agentIndex] = Math.min(firstAt[rule.agentIndex] ?? Number.POSITIVE_INFINITY, found?.firstAt ?? Number.POSITIVE_INFINITY);
    }
    hits.push({
      ruleId: rule.id,
      agent: rule.agent,
      weight: condition ? weight : 0,
      type: rule.type,
      keywords: found?.keywords ?? [],
      ...(keywordWeights === undefined ? {} : { keywordWeights }),
      matchedText: found?.matchedText ?? [],
      condition,
      place: rule.place,
    });
  }
  if (hits.length > 1) hits.sort((a, b) => b.weight - a.weight);
  return decide(compiled, scores, firstAt, hits);
}

function decide(compiled: CompiledRules, scores: readonly number[], firstAt: readonly number[], hits: readonly RuleHit[]): Decision {
  const scoreMap: Record<string, number> = {};
  let winner = 0;
  for (const [index, id] of compiled.agentIds.entries()) {
    scoreMap[id] = roundScore(scores[index] ?? 0);
    if (ranksAbove(index, winner, scores, firstAt)) winner = index;
  }
  const top = scores[winner] ?? 0;
  if (top <= 0) {
    const confidence = softmaxShare(scores, compiled.agentIds.indexOf(compiled.defaultAgent), compiled.temperature);
    return { agent: compiled.defaultAgent, type: GENERAL_TYPE, score: 0, scores: scoreMap, margin: 0, matched: hits, confidence, reason: 'default-agent' };
  }
  let second = 0;
  for (const [index, score] of scores.entries()) if (index !== winner && score > second) second = score;
  const agent = compiled.agentIds[winner] ?? compiled.defaultAgent;
  const typed = hits.find((hit) => hit.agent === agent && hit.condition && hit.type !== undefined);
  return {
    agent,
    type: typed?.type ?? GENERAL_TYPE,
    score: roundScore(top),
    scores: scoreMap,
    margin: roundScore(top - second),
    matched: hits,
    confidence: softmaxShare(scores, winner, compiled.temperature),
    reason: second === top ? 'tie-break' : 'highest-score',
  };
}

/** Scores are sums of weights written with a few decimals: rounded so that 0.1 + 0.2 reads 0.3. */
function roundScore(score: number): number {
  return Math.round(score * 1e6) / 1e6;
}

/** The chosen agent's share of softmax(score / temperature), rounded to 3 places so decisions read and store cleanly. */
function softmaxShare(scores: readonly number[], chosen: number, temperature: number): number {
  const top = Math.max(...scores);
  let total = 0;
  for (const score of scores) total += Math.exp((score - top) / temperature);
  const share = Math.exp(((scores[chosen] ?? 0) - top) / temperature) / total;
  return Math.round(share * 1000) / 1000;
}

/** The documented order: higher score, then earlier first matched word, then earlier in the council. */
function ranksAbove(candidate: number, best: number, scores: readonly number[], firstAt: readonly number[]): boolean {
  const byScore = (scores[candidate] ?? 0) - (scores[best] ?? 0);
  if (byScore !== 0) return byScore > 0;
  return (firstAt[candidate] ?? 0) < (firstAt[best] ?? 0);
}

/**
 * Keywords found in the title, then in the description. A rule's keywords and the words that matched them are listed
 * once each, as first written; words inside a longer match of the same rule are not quoted twice.
 */
function matchKeywords(compiled: CompiledRules, task: TaskInput): (RuleKeywords | undefined)[] {
  const byRule = new Array<RuleKeywords | undefined>(compiled.rules.length);
  const record = (text: string, offset: number, match: KeywordMatch) => {
    const start = offset + match.start;
    const entry = byRule[match.rule] ?? { keywords: [], matchedText: [], firstAt: start, quotedUntil: -1 };
    if (!entry.keywords.includes(match.keyword)) entry.keywords.push(match.keyword);
    const written = text.slice(match.start, match.end);
    if (start >= entry.quotedUntil && !entry.matchedText.includes(written)) entry.matchedText.push(written);
    entry.quotedUntil = Math.max(entry.quotedUntil, offset + match.end);
    byRule[match.rule] = entry;
  };
  for (const match of compiled.matcher.match(tokenizeText(task.title))) record(task.title, 0, match);
  if (task.description !== undefined && task.description !== '') {
    const description = task.description.slice(0, DESCRIPTION_SCAN_LIMIT);
    for (const match of compiled.matcher.match(tokenizeText(description))) record(description, task.title.length + 1, match);
  }
  return byRule;
}
