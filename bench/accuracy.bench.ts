// Routing accuracy on the test split of corpus/corpus.tsv: titles from fields whose examples the fitted weights never
// saw (the corpus is split by field). Side by side: the default council (rules/: hand-written rules plus the weights
// `kurultai fit` learned from the train split), the hand-written rules as they stood before any fitting (a fixed copy in
// bench/hand-rules/), and a plain keyword list (one word per agent, the same whole-word matcher).
import { councilFromText, evaluateRouting, loadCouncil, loadLabelledSet, selectSplit, type Council, type RoutingEvaluation } from '@kurultai/core';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const RULES = fileURLToPath(new URL('../rules/', import.meta.url));
const HAND_RULES = fileURLToPath(new URL('hand-rules/', import.meta.url));
const CORPUS = fileURLToPath(new URL('../corpus/corpus.tsv', import.meta.url));
const TARGET = { accuracy: 0.92, noMatch: 0.03, recall: 0.85, calibrationError: 0.05 };

const fitted = await loadCouncil(RULES);
const hand = await loadCouncil(HAND_RULES);
const agentIds = fitted.agents.map((agent) => agent.id);
const test = selectSplit(await loadLabelledSet(CORPUS, agentIds), 'test');

const PLAIN_KEYWORDS = { mongke: 'research', temujin: 'build', chagatai: 'document', jochi: 'audit', ogedei: 'ops', kublai: 'orchestrate' };
const plainRules = Object.entries(PLAIN_KEYWORDS).map(([agent, keyword]) => `  - { id: ${keyword}, agent: ${agent}, keywords: [${keyword}] }`);
const plain = councilFromText({ 'agents.yaml': readFileSync(`${RULES}agents.yaml`, 'utf8'), 'routing.yaml': `version: 1\nrules:\n${plainRules.join('\n')}\n` });
if (!plain.ok) throw new Error('the plain keyword council does not compile');

const fields = new Set(test.map((example) => example.field)).size;
console.log(`corpus/corpus.tsv, split test: ${test.length} titles from ${fields} fields the fitted weights never saw`);
console.log(`${'council'.padEnd(34)} accuracy  no match  lowest recall       calibration error`);
const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
const lowestRecall = (report: RoutingEvaluation) => Object.entries(report.agents).sort(([, a], [, b]) => a.recall - b.recall)[0] ?? ['-', { recall: 0 }];
const results: [string, Council][] = [
  ['default council (rules/, fitted)', fitted],
  ['hand rules (bench/hand-rules/)', hand],
  ['plain keyword list', plain.council],
];
let fittedReport: RoutingEvaluation | undefined;
for (const [name, council] of results) {
  const report = evaluateRouting(council, test);
  fittedReport ??= report;
  const [agent, { recall }] = lowestRecall(report);
  console.log(
    `${name.padEnd(34)} ${percent(report.accuracy).padStart(8)}  ${percent(report.noMatchRate).padStart(8)}  ${`${percent(recall)} (${agent})`.padStart(18)}  ${(report.calibration.expectedError * 100).toFixed(1).padStart(10)} points`,
  );
}
if (fittedReport === undefined) throw new Error('no report');
const recalls = Object.entries(fittedReport.agents).map(([agent, score]) => `${agent} ${percent(score.recall)}`).join(', ');
console.log(`default council's recall per agent: ${recalls}`);
const checks = [
  [`accuracy at least ${percent(TARGET.accuracy)}`, fittedReport.accuracy >= TARGET.accuracy],
  [`no match at most ${percent(TARGET.noMatch)}`, fittedReport.noMatchRate <= TARGET.noMatch],
  [`every agent's recall at least ${percent(TARGET.recall)}`, Object.values(fittedReport.agents).every((score) => score.recall >= TARGET.recall)],
  [`calibration error under ${TARGET.calibrationError * 100} points`, fittedReport.calibration.expectedError < TARGET.calibrationError],
] as const;
for (const [target, met] of checks) console.log(`target: ${target}: ${met ? 'MET' : 'MISSED'}`);
