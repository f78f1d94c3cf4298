// Routing throughput: Kurultai's compiled council against json-rules-engine used the idiomatic way (one Engine, rules
// built from the same routing.yaml, a custom operator for keywords), on the same rules and the same tasks, in one
// process. Both sides produce a decision (agent, scores, type) and its explanation (the rules and keywords that fired).
import { loadCouncil, loadExamples, loadYamlFile, routingFileSchema, tokenizeText, type Condition, type Decision, type TaskInput } from '@kurultai/core';
import { Engine, type RuleProperties } from 'json-rules-engine';
import { fileURLToPath } from 'node:url';

const RULES = fileURLToPath(new URL('../rules/', import.meta.url));
const TASKS = 10_000;
const ENGINE_TASKS = 2_000;

const council = await loadCouncil(RULES);
const agentIds = council.agents.map((agent) => agent.id);
const examples = await loadExamples(`${RULES}examples.yaml`, agentIds);
const routing = await loadYamlFile(`${RULES}routing.yaml`, routingFileSchema);
if (!examples.ok || !routing.ok) throw new Error('the default rules do not load; run `kurultai validate`');

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
for (const rule of routing.value.rules) {
  for (const keyword of rule.keywords ?? []) keywordStems.set(keyword, stems(keyword));
  const keywordConditions = (rule.keywords ?? []).map((keyword) => ({ fact: 'words', operator: 'hasPhrase', value: keyword }));
  const all: unknown[] = [];
  if (keywordConditions.length > 0) all.push({ any: keywordConditions });
  if (rule.when !== undefined) all.push(rule.when satisfies Condition);
  engine.addRule({ name: rule.id, conditions: { all }, event: { type: 'score', params: { agent: rule.agent, weight: rule.weight ?? 1, type: rule.type } } } as RuleProperties);
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
    const { agent, weight } = result.event.params as { agent: string; weight: number };
    scores[agent] = (scores[agent] ?? 0) + weight;
    const keywords = firedKeywords(result.conditions as unknown as ConditionResult);
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
  return ours !== undefined && ours.agent === decision.agent && agentIds.every((id) => ours.scores[id] === decision.scores[id]);
}).length;

const format = (rate: number) => Math.round(rate).toLocaleString('en-US').padStart(10);
console.log(`rules: ${routing.value.rules.length} from rules/routing.yaml, ${agentIds.length} agents; tasks: labelled titles with priority, tags, properties`);
console.log(`kurultai          ${format(kurultaiRate)} tasks/s  (${TASKS.toLocaleString('en-US')} tasks, ${(1e6 / kurultaiRate).toFixed(2)} µs/task)`);
console.log(`json-rules-engine ${format(engineRate)} tasks/s  (${ENGINE_TASKS.toLocaleString('en-US')} tasks, ${(1e6 / engineRate).toFixed(2)} µs/task)`);
const ratio = kurultaiRate / engineRate;
console.log(`ratio             ${ratio.toFixed(1).padStart(10)}x  (target: at least 100x: ${ratio >= 100 ? 'MET' : 'MISSED'})`);
console.log(`same agent and scores on ${agreeing}/${engineDecisions.length} tasks`);
if (agreeing !== engineDecisions.length) process.exitCode = 1;
