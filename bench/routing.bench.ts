// Routing throughput: Kurultai's compiled council against json-rules-engine used the idiomatic way (one Engine, rules
// built from the same rules files: the hand-written routing.yaml and the fitted weights of fitted.yaml, a custom
// operator for keywords), on the same rules and the same tasks, in one process. Both sides produce a decision (agent,
// scores) and its explanation (the rules and keywords that fired, with what each word added).
import { listRulesFolder, loadCouncil, loadExamples, loadYamlFile, routingFileSchema, tokenizeText, type Condition, type Decision, type RuleSpec, type TaskInput } from '@kurultai/core';
import { Engine, type RuleProperties } from 'json-rules-engine';
import { fileURLToPath } from 'node:url';

const RULES = fileURLToPath(new URL('../rules/', import.meta.url));
const TASKS = 10_000;
// json-rules-engine evaluates every keyword condition of every rule for every task (thousands with fitted weights), so
// it gets fewer tasks; rates are per task, and both sides route the same titles.
const ENGINE_TASKS = 300;
const TARGET_RATE = 100_000;

const council = await loadCouncil(RULES);
const agentIds = council.agents.map((agent) => agent.id);
const examples = await loadExamples(`${RULES}examples.yaml`, agentIds);
const routingFiles = await Promise.all((await listRulesFolder(RULES)).routing.map((file) => loadYamlFile(file, routingFileSchema)));
const rules: RuleSpec[] = routingFiles.flatMap((file) => (file.ok ? file.value.rules : []));
if (!examples.ok || routingFiles.some((file) => !file.ok)) throw new Error('the default rules do not load; run `kurultai validate`');
const keywordCount = rules.reduce((sum, rule) => sum + (rule.keywords?.length ?? 0) + Object.keys(rule.weights ?? {}).length, 0);

// Realistic titles with the facts `when` conditions read, varied deterministically.
const PRIORITIES = ['critical', 'high', 'normal', 'low'] as const;
const tasks: TaskInput[] = Array.from({ length: TASKS }, (_, index) => {
  const example = examples.value.examples[index % examples.value.examples.length];
  return {
    id: `task-${index}`,
    title: example?.text ?? '',
    source: 'bench',
    priority: PRIORITIES[index % 4],
    tags: index % 7 === 0 ? ['security'] : [],
    properties: { team: index % 5 === 0 ? 'Platform' : 'Web' },
  };
});

// json-rules-engine, idiomatically: one rule per routing rule, its keywords as an `any` of conditions on a `words` fact
// (the task's stemmed words, the same tokenizer as Kurultai so both sides mean the same words) with a custom operator,
// and its `when` alongside in an `all`. The event carries the agent and weight; the explanation comes from the results.
// Conditions hold the keyword as written (json-rules-engine deep-copies every rule's conditions on every run, so small
// values are its fast path); the operator looks the keyword's stems up in a table built once.
const keywordStems = new Map<string, string[]>();
const engine = new Engine([], { allowUndefinedFacts: true });
engine.addOperator('hasPhrase', (words: unknown, keyword: unknown) => phraseAt(words as string[], keywordStems.get(keyword as string) ?? []) >= 0);
for (const rule of rules) {
  const keywords = rule.keywords ?? Object.keys(rule.weights ?? {});
  for (const keyword of keywords) keywordStems.set(keyword, stems(keyword));
  const keywordConditions = keywords.map((keyword) => ({ fact: 'words', operator: 'hasPhrase', value: keyword }));
  const all: unknown[] = [];
  if (keywordConditions.length > 0) all.push({ any: keywordConditions });
  if (rule.when !== undefined) all.push(rule.when satisfies Condition);
  const params = { agent: rule.agent, weight: rule.weight ?? 1, weights: rule.weights, type: rule.type };
  engine.addRule({ name: rule.id, conditions: { all }, event: { type: 'score', params } } as RuleProperties);
}

function stems(text: string): string[] {
  return tokenizeText(text).map((token) => token.stem);
}

function phraseAt(words: readonly string[], phrase: readonly string[]): number {
  for (let start = 0; start + phrase.length <= words.length; start += 1) {
    if (phrase.every((stem, offset) => words[start + offset] === stem)) return start;
  }
  return -1;
}

interface EngineDecision {
  readonly agent: string;
  readonly scores: Record<string, number>;
  readonly matched: readonly { readonly ruleId: string; readonly keywords: readonly string[] }[];
}

async function routeWithEngine(task: TaskInput): Promise<EngineDecision> {
  const words = stems(task.title);
  const facts = { words, title: task.title, description: '', priority: task.priority, tags: task.tags, source: task.source, properties: task.properties };
  const { results } = await engine.run(facts);
  const scores: Record<string, number> = Object.fromEntries(agentIds.map((id) => [id, 0]));
  const firstAt: Record<string, number> = {};
  const matched = results.map((result) => {
    const { agent, weight, weights } = result.event.params as { agent: string; weight: number; weights?: Record<string, number> };
    const keywords = firedKeywords(result.conditions as unknown as ConditionResult);
    // A rule with per-word weights adds the weight of each word that fired; a keyword rule its weight once.
    scores[agent] = (scores[agent] ?? 0) + (weights === undefined ? weight : keywords.reduce((sum, keyword) => sum + (weights[keyword] ?? 0), 0));
    const positions = keywords.map((keyword) => phraseAt(words, keywordStems.get(keyword) ?? []));
    firstAt[agent] = Math.min(firstAt[agent] ?? Infinity, ...positions);
    return { ruleId: result.name as string, keywords };
  });
  const ranked = [...agentIds].sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || (firstAt[a] ?? Infinity) - (firstAt[b] ?? Infinity) || agentIds.indexOf(a) - agentIds.indexOf(b));
  const winner = ranked[0] ?? council.defaultAgent;
  return { agent: (scores[winner] ?? 0) > 0 ? winner : council.defaultAgent, scores, matched };
}

interface ConditionResult {
  readonly all?: readonly ConditionResult[];
  readonly any?: readonly ConditionResult[];
  readonly operator?: string;
  readonly result?: boolean;
  readonly value?: unknown;
}

/** The keywords whose conditions held, read back from json-rules-engine's evaluated conditions. */
function firedKeywords(condition: ConditionResult): string[] {
  const children = [...(condition.all ?? []), ...(condition.any ?? [])];
  if (condition.operator === 'hasPhrase') return condition.result === true ? [String(condition.value)] : [];
  return children.flatMap(firedKeywords);
}

// Warm both up, then time them on the same tasks in alternating slices, so a change in the machine's load during the
// run (other processes on a shared machine) weighs on both sides alike.
for (const task of tasks.slice(0, 500)) council.route(task);
for (const task of tasks.slice(0, 200)) await routeWithEngine(task);

const SLICES = 10;
const kurultaiDecisions: Decision[] = [];
const engineDecisions: EngineDecision[] = [];
let kurultaiMs = 0;
let engineMs = 0;
for (let slice = 0; slice < SLICES; slice += 1) {
  const ours = tasks.slice((slice * TASKS) / SLICES, ((slice + 1) * TASKS) / SLICES);
  const theirs = tasks.slice((slice * ENGINE_TASKS) / SLICES, ((slice + 1) * ENGINE_TASKS) / SLICES);
  const kurultaiStart = performance.now();
  for (const task of ours) kurultaiDecisions.push(council.route(task));
  kurultaiMs += performance.now() - kurultaiStart;
  const engineStart = performance.now();
  for (const task of theirs) engineDecisions.push(await routeWithEngine(task));
  engineMs += performance.now() - engineStart;
}
const kurultaiRate = (TASKS * 1000) / kurultaiMs;
const engineRate = (ENGINE_TASKS * 1000) / engineMs;

const agreeing = engineDecisions.filter((decision, index) => {
  const ours = kurultaiDecisions[index];
  return ours !== undefined && ours.agent === decision.agent && agentIds.every((id) => Math.abs((ours.scores[id] ?? 0) - (decision.scores[id] ?? 0)) < 1e-6);
}).length;

const format = (rate: number) => Math.round(rate).toLocaleString('en-US').padStart(10);
console.log(`rules: ${rules.length} with ${keywordCount} keywords from rules/, ${agentIds.length} agents; tasks: labelled titles with priority, tags, properties`);
console.log(`kurultai          ${format(kurultaiRate)} tasks/s  (${TASKS.toLocaleString('en-US')} tasks, ${(1e6 / kurultaiRate).toFixed(2)} µs/task)`);
console.log(`json-rules-engine ${format(engineRate)} tasks/s  (${ENGINE_TASKS.toLocaleString('en-US')} tasks, ${(1e6 / engineRate).toFixed(2)} µs/task)`);
const ratio = kurultaiRate / engineRate;
console.log(`ratio             ${ratio.toFixed(1).padStart(10)}x  (target: at least 100x: ${ratio >= 100 ? 'MET' : 'MISSED'})`);
console.log(`kurultai rate with explanations: target at least ${TARGET_RATE.toLocaleString('en-US')} tasks/s: ${kurultaiRate >= TARGET_RATE ? 'MET' : 'MISSED'}`);
console.log(`same agent and scores on ${agreeing}/${engineDecisions.length} tasks`);
if (agreeing !== engineDecisions.length) process.exitCode = 1;
