import type { RegressionWeights } from './softmax-regression.js';

/** What a fitted rules file is written from. */
export interface FittedRules {
  readonly agentIds: readonly string[];
  /** How each feature is written in the file (a word or phrase the matcher reads back to the feature's stems). */
  readonly keywords: readonly string[];
  /** `keywords.length` rows of `agentIds.length` weights. */
  readonly weights: RegressionWeights;
  readonly temperature: number;
  /** Comment lines for the head of the file: where the weights come from. */
  readonly provenance: readonly string[];
}

/**
 * Weights below this (or below a tenth of the largest weight, when that is smaller) are left out of the file: each tips
 * few decisions, and together they would triple the file that reviewers read and every start parses (on the default
 * corpus, 6,300 words and phrases at 0.2 against 17,000 at 0.05, for 0.6 points of cross-validated accuracy).
 */
export const SMALLEST_WRITTEN_WEIGHT = 0.2;

/**
 * Writes fitted weights as a routing rules file: one rule per agent with `weights`, each word or phrase with what it
 * adds to that agent, largest first. Softmax scores only compare agents, so adding the same amount to a word's weight for
 * every agent changes no decision; each word's weights are shifted so the smallest is 0, leaving only positive weights
 * that read as "this word points to these agents, this much". Numbers carry two decimals, and the order is fixed, so the
 * same weights always write the same file.
 */
export function writeFittedRules(fitted: FittedRules): string {
  const { agentIds, keywords, weights, temperature } = fitted;
  const classCount = agentIds.length;
  const shifted = keywords.map((keyword, feature) => {
    let lowest = Number.POSITIVE_INFINITY;
    for (let c = 0; c < classCount; c += 1) lowest = Math.min(lowest, weights[feature * classCount + c] ?? 0);
    return agentIds.map((_, c) => Math.round(((weights[feature * classCount + c] ?? 0) - lowest) * 100) / 100);
  });
  // A few examples learn small weights: the floor is then a tenth of the largest, so the file keeps what they taught.
  const largest = Math.max(0, ...shifted.flat());
  const floor = Math.min(SMALLEST_WRITTEN_WEIGHT, largest / 10);
  const byAgent = agentIds.map(() => [] as { keyword: string; weight: number }[]);
  for (const [feature, keyword] of keywords.entries()) {
    for (const [c, weight] of (shifted[feature] ?? []).entries()) if (weight > 0 && weight >= floor) byAgent[c]?.push({ keyword, weight });
  }
  const lines = [
    '# yaml-language-server: $schema=../packages/core/schema/routing.schema.json',
    '#',
    ...fitted.provenance.map((line) => `# ${line}`.trimEnd()),
    '#',
    '# Each word or phrase adds its weight to its agent when it appears in a task\'s title or description (whole words and',
    '# their inflections, as for keywords); the hand-written rules in the other files add theirs on top, and the highest',
    '# total wins. The confidence of a decision is softmax(scores / temperature). Edit it like any rules file: `kurultai',
    '# explain` shows each word\'s contribution, and `kurultai fit` writes the file anew from labelled examples.',
    'version: 1',
    `calibration: { temperature: ${temperature} }`,
    byAgent.some((entries) => entries.length > 0) ? 'rules:' : 'rules: []',
  ];
  for (const [c, agent] of agentIds.entries()) {
    const entries = (byAgent[c] ?? []).sort((a, b) => b.weight - a.weight || (a.keyword < b.keyword ? -1 : a.keyword > b.keyword ? 1 : 0));
    if (entries.length === 0) continue;
    lines.push(`  - id: fitted-${agent}`, `    agent: ${agent}`, '    weights:');
    for (const { keyword, weight } of entries) lines.push(`      ${yamlKey(keyword)}: ${weight.toFixed(2)}`);
  }
  return `${lines.join('\n')}\n`;
}

// Plain lowercase words stay bare; anything YAML could read as something else (yes, null, 1e3, a leading symbol) is
// quoted.
const PLAIN_KEY = /^[a-z][a-z0-9]*( [a-z0-9]+)*$/;
const YAML_WORDS = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null']);

function yamlKey(keyword: string): string {
  return PLAIN_KEY.test(keyword) && !YAML_WORDS.has(keyword) ? keyword : JSON.stringify(keyword);
}
