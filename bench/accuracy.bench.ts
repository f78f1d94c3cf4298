// Routing accuracy on the labelled titles of rules/examples.yaml: the default rules, against the plain keyword list
// the issue compares with (research, build, document, audit, ops, orchestrate: one word per agent, matched with the same
// whole-word-and-inflection matcher, so the difference is the rules, not the matching).
import { councilFromText, loadCouncil, loadExamples, runExamples } from '@kurultai/core';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const RULES = fileURLToPath(new URL('../rules/', import.meta.url));
const council = await loadCouncil(RULES);
const examples = await loadExamples(`${RULES}examples.yaml`, council.agents.map((agent) => agent.id));
if (!examples.ok) throw new Error('rules/examples.yaml does not load; run `kurultai validate`');

const PLAIN_KEYWORDS = { mongke: 'research', temujin: 'build', chagatai: 'document', jochi: 'audit', ogedei: 'ops', kublai: 'orchestrate' };
const plainRules = Object.entries(PLAIN_KEYWORDS).map(([agent, keyword]) => `  - { id: ${keyword}, agent: ${agent}, keywords: [${keyword}] }`);
const plain = councilFromText({ 'agents.yaml': readFileSync(`${RULES}agents.yaml`, 'utf8'), 'routing.yaml': `version: 1\nrules:\n${plainRules.join('\n')}\n` });
if (!plain.ok) throw new Error('the plain keyword council does not compile');

const percent = (share: number) => `${(share * 100).toFixed(1)}%`.padStart(6);
for (const [name, candidate] of [['default rules (rules/routing.yaml)', council], ['plain keyword list', plain.council]] as const) {
  const report = runExamples(candidate, examples.value);
  console.log(`${name.padEnd(36)} ${percent(report.accuracy)}  (${report.correct}/${report.total})`);
}
console.log(`required by rules/examples.yaml     ${percent(examples.value.min_accuracy)}`);
