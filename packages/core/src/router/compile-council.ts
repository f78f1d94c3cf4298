import { formatPlace, type Problem } from '../errors.js';
import { KurultaiError } from '../errors.js';
import { buildPersonaPrompt } from '../prompt/persona-prompt.js';
import type { TaskInput } from '../task.js';
import type { YamlLoad } from '../yaml/load-yaml.js';
import type { YamlDocument } from '../yaml/parse-yaml.js';
import { compileCondition } from './compile-condition.js';
import { conditionVerdict } from './condition-verdict.js';
import type { AgentPersona, Council, FallbackPolicy } from './council.js';
import type { Decision } from './decision.js';
import { KeywordMatcher } from './keyword-matcher.js';
import { routeTask, type CompiledRule, type CompiledRules } from './route-task.js';
import { ruleSchema, type AgentsFile, type RoutingFile } from './schema.js';

/** A file that passed its schema, with the document its values' places come from. */
export interface CheckedFile<T> {
  readonly value: T;
  readonly document: YamlDocument;
}

export type CouncilCompilation = { readonly ok: true; readonly council: CompiledCouncil } | { readonly ok: false; readonly problems: readonly Problem[] };

/** A council ready to route: the `Council` the dispatcher uses, plus the compiled rules for tools that explain them. */
export interface CompiledCouncil extends Council {
  readonly rules: readonly CompiledRule[];
}

/**
 * Checks what a schema cannot (ids unique across files, agents that exist, rules that can match at all) and compiles
 * the rules: keywords into one matcher, conditions into functions. Every problem is reported, and no council is built
 * unless there are none.
 */
export function compileCouncil(agents: CheckedFile<AgentsFile>, routing: readonly CheckedFile<RoutingFile>[]): CouncilCompilation {
  const problems: Problem[] = [];
  const personas = checkAgents(agents, problems);
  const agentIds = personas.map((persona) => persona.id);
  const matcher = new KeywordMatcher();
  const rules: CompiledRule[] = [];
  const ruleIds = new Map<string, string>();
  const settings = compileSettings(routing, agentIds, problems);

  for (const { value, document } of routing) {
    for (const [index, spec] of value.rules.entries()) {
      const at = (...path: PropertyKey[]) => document.placeOf(['rules', index, ...path]);
      const report = (message: string, ...path: PropertyKey[]) => problems.push({ place: at(...path), message });
      const place = formatPlace(at());
      const earlier = ruleIds.get(spec.id);
      if (earlier === undefined) ruleIds.set(spec.id, place);
      else report(`duplicate rule id "${spec.id}"; it is also defined at ${earlier}`, 'id');
      const agentIndex = agentIds.indexOf(spec.agent);
      if (agentIndex < 0) report(`unknown agent "${spec.agent}"; the council has ${agentIds.join(', ')}`, 'agent');
      if (spec.keywords === undefined && spec.weights === undefined && spec.when === undefined) report('a rule needs keywords, weights or a when condition');
      for (const [keywordIndex, keyword] of (spec.keywords ?? []).entries()) {
        if (!matcher.add(rules.length, keyword)) report(`keyword "${keyword}" has no letters or digits to match`, 'keywords', keywordIndex);
      }
      for (const keyword of Object.keys(spec.weights ?? {})) {
        if (!matcher.add(rules.length, keyword)) report(`keyword "${keyword}" has no letters or digits to match`, 'weights', keyword);
      }
      const verdict = spec.when === undefined ? undefined : conditionVerdict(spec.when);
      if (verdict?.kind === 'never') report(`this rule can never match: ${verdict.reason}`, 'when');
      rules.push({
        id: spec.id,
        agent: spec.agent,
        agentIndex,
        type: spec.type,
        weight: spec.weight ?? 1,
        ...(spec.weights === undefined ? {} : { keywordWeights: new Map(Object.entries(spec.weights)) }),
        hasKeywords: spec.keywords !== undefined || spec.weights !== undefined,
        when: spec.when === undefined ? undefined : compileCondition(spec.when),
        place,
      });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const compiled: CompiledRules = { agentIds, defaultAgent: agents.value.default_agent, rules, matcher, temperature: settings.temperature };
  return { ok: true, council: createCouncil(personas, agents.value.default_agent, compiled, settings.fallback) };
}

const DEFAULT_FALLBACK_TIMEOUT_SECONDS = 60;

/**
 * The council-wide settings a routing file may carry (`calibration`, `fallback`): each at most once across the
 * folder, and a fallback must ask an agent of the council.
 */
function compileSettings(routing: readonly CheckedFile<RoutingFile>[], agentIds: readonly string[], problems: Problem[]): { temperature: number; fallback?: FallbackPolicy } {
  const firstPlace = new Map<string, string>();
  let temperature = 1;
  let fallback: FallbackPolicy | undefined;
  for (const { value, document } of routing) {
    for (const key of ['calibration', 'fallback'] as const) {
      if (value[key] === undefined) continue;
      const place = document.placeOf([key]);
      const earlier = firstPlace.get(key);
      if (earlier !== undefined) problems.push({ place, message: `a second ${key} setting; the council's is at ${earlier}` });
      else firstPlace.set(key, formatPlace(place));
    }
    if (value.calibration !== undefined) temperature = value.calibration.temperature;
    if (value.fallback !== undefined) {
      const { below, ask, timeout_seconds } = value.fallback;
      if (!agentIds.includes(ask)) problems.push({ place: document.placeOf(['fallback', 'ask']), message: `unknown agent "${ask}"; the council has ${agentIds.join(', ')}` });
      fallback = { below, ask, timeoutMs: (timeout_seconds ?? DEFAULT_FALLBACK_TIMEOUT_SECONDS) * 1000 };
    }
  }
  return fallback === undefined ? { temperature } : { temperature, fallback };
}

/**
 * Compiles files as loaded from YAML. Any file that failed to load fails the whole council; the files that did load are
 * still checked against each other, so one run reports every problem there is.
 */
export function compileLoadedFiles(agents: YamlLoad<AgentsFile>, routing: readonly YamlLoad<RoutingFile>[]): CouncilCompilation {
  const loadProblems = [agents, ...routing].flatMap((load) => (load.ok ? [] : load.problems));
  if (!agents.ok) return { ok: false, problems: loadProblems };
  const compiled = compileCouncil(agents, routing.flatMap(soundRules));
  if (loadProblems.length === 0) return compiled;
  return { ok: false, problems: inFileOrder([...loadProblems, ...(compiled.ok ? [] : compiled.problems)]) };
}

function inFileOrder(problems: readonly Problem[]): Problem[] {
  const key = ({ place }: Problem) => [place.file ?? '', place.line ?? 0, place.column ?? 0] as const;
  return [...problems].sort((a, b) => {
    const [fileA, lineA, columnA] = key(a);
    const [fileB, lineB, columnB] = key(b);
    return fileA.localeCompare(fileB) || lineA - lineB || columnA - columnB;
  });
}

/**
 * The rules of a file that pass the rule schema on their own: all of them for a file that loaded, and the sound ones of
 * a file whose other rules failed, so a bad rule does not hide an unknown agent or a duplicate id in the next one.
 * Their places are mapped back to their index in the file.
 */
function soundRules(load: YamlLoad<RoutingFile>): CheckedFile<RoutingFile>[] {
  if (load.ok) return [load];
  const { document } = load;
  const data: unknown = document?.data;
  if (document === undefined || typeof data !== 'object' || data === null || !('rules' in data) || !Array.isArray(data.rules)) return [];
  const sound = (data.rules as unknown[]).flatMap((rule, index) => {
    const parsed = ruleSchema.safeParse(rule);
    return parsed.success ? [{ rule: parsed.data, index }] : [];
  });
  const placeOf: YamlDocument['placeOf'] = (path, options) => {
    const [first, second, ...rest] = path;
    const original = first === 'rules' && typeof second === 'number' ? sound[second]?.index : undefined;
    return document.placeOf(original === undefined ? path : ['rules', original, ...rest], options);
  };
  return [{ value: { version: 1, rules: sound.map(({ rule }) => rule) }, document: { ...document, placeOf } }];
}

function checkAgents({ value, document }: CheckedFile<AgentsFile>, problems: Problem[]): AgentPersona[] {
  const seen = new Map<string, string>();
  const personas = value.agents.map((agent, index) => {
    const place = document.placeOf(['agents', index, 'id']);
    const earlier = seen.get(agent.id);
    if (earlier === undefined) seen.set(agent.id, formatPlace(place));
    else problems.push({ place, message: `duplicate agent id "${agent.id}"; it is also defined at ${earlier}` });
    return {
      id: agent.id,
      name: agent.name,
      role: agent.role,
      instructions: agent.instructions,
      spawn: agent.spawn ?? {},
      ...(agent.max_concurrent === undefined ? {} : { maxConcurrent: agent.max_concurrent }),
    };
  });
  if (!seen.has(value.default_agent)) {
    problems.push({ place: document.placeOf(['default_agent']), message: `unknown agent "${value.default_agent}"; the council has ${[...seen.keys()].join(', ')}` });
  }
  return personas;
}

function createCouncil(agents: readonly AgentPersona[], defaultAgent: string, compiled: CompiledRules, fallback: FallbackPolicy | undefined): CompiledCouncil {
  const byId = new Map(agents.map((agent) => [agent.id, agent]));
  return Object.freeze({
    agents: Object.freeze([...agents]),
    defaultAgent,
    ...(fallback === undefined ? {} : { fallback }),
    rules: compiled.rules,
    route: (task: TaskInput): Decision => routeTask(compiled, task),
    prompt: (agentId: string, task: TaskInput): string => {
      const persona = byId.get(agentId);
      if (persona === undefined) {
        throw new KurultaiError('unknown_agent', `no agent "${agentId}" in the council (${[...byId.keys()].join(', ')})`, { place: { taskId: task.id } });
      }
      return buildPersonaPrompt(persona, task);
    },
  });
}
