import { z } from 'zod';

/** The facts a `when` condition can test, as json-rules-engine facts. */
export const FACT_NAMES = ['title', 'description', 'priority', 'tags', 'source', 'properties'] as const;
export type FactName = (typeof FACT_NAMES)[number];

const EQUALITY_OPERATORS = ['equal', 'notEqual', 'contains', 'doesNotContain'] as const;
const MEMBERSHIP_OPERATORS = ['in', 'notIn'] as const;
const NUMERIC_OPERATORS = ['lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive'] as const;

/** json-rules-engine's built-in operators, all of which `when` conditions support. */
export const OPERATORS = [...EQUALITY_OPERATORS, ...MEMBERSHIP_OPERATORS, ...NUMERIC_OPERATORS] as const;
export type Operator = (typeof OPERATORS)[number];

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()], { error: 'must be a string, a number, true, false or null' });
const fact = z.enum(FACT_NAMES, { error: `must be one of ${FACT_NAMES.join(', ')}` });
/**
 * A JSONPath into an object fact, limited to dotted names (`$.status`, `$.team.name`): the part of JSONPath whose result
 * is a single value, so a condition reads the same here and in json-rules-engine.
 */
const path = z.string().regex(/^\$(\.[A-Za-z_][A-Za-z0-9_-]*)+$/, { error: 'must look like $.name or $.name.inner' }).optional();

// Values are plain data: json-rules-engine reads an object value `{fact: ...}` as a reference to another fact, which
// `when` conditions do not offer, so objects are refused rather than silently compared by identity.
const pathOnlyOnProperties = (condition: { fact: FactName; path?: string | undefined }) => condition.path === undefined || condition.fact === 'properties';
const pathRefinement = { error: 'path only applies to the properties fact', path: ['path'] };
const factCondition = z.discriminatedUnion(
  'operator',
  [
    z.strictObject({ fact, operator: z.enum(EQUALITY_OPERATORS), value: scalar, path }).refine(pathOnlyOnProperties, pathRefinement),
    z
      .strictObject({ fact, operator: z.enum(MEMBERSHIP_OPERATORS), value: z.array(scalar, { error: 'must be a list for in and notIn' }), path })
      .refine(pathOnlyOnProperties, pathRefinement),
    z
      .strictObject({ fact, operator: z.enum(NUMERIC_OPERATORS), value: z.number({ error: 'must be a number for this operator' }), path })
      .refine(pathOnlyOnProperties, pathRefinement),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? `unknown operator; use one of ${OPERATORS.join(', ')}` : undefined) },
);

export type FactCondition = z.output<typeof factCondition>;

/** A json-rules-engine condition: `all`, `any`, `not`, or a fact compared with an operator. */
export type Condition =
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] }
  | { readonly not: Condition }
  | FactCondition;

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union(
    [
      z.strictObject({ all: z.array(conditionSchema) }),
      z.strictObject({ any: z.array(conditionSchema) }),
      z.strictObject({ not: conditionSchema }),
      factCondition,
    ],
    { error: 'a condition is {all: [...]}, {any: [...]}, {not: ...} or {fact, operator, value}' },
  ),
);

const id = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, { error: 'ids are lowercase letters, digits, "-" and "_"' });
const text = z.string().trim().min(1, { error: 'must not be empty' });
const version = z.literal(1, { error: (issue) => `unsupported version ${JSON.stringify(issue.input)}; this Kurultai reads version 1` });

export const agentSchema = z.strictObject({
  id,
  name: text.describe('Display name, in real UTF-8.'),
  role: text.describe('One line: what the agent is for.'),
  instructions: text.describe('How the agent works; becomes part of its persona prompt.'),
  spawn: z.record(z.string(), z.unknown()).optional().describe("Settings for the spawner (e.g. OpenClaw's agentId), passed through as written."),
  max_concurrent: z.int().min(1).optional().describe("At most this many of the agent's tasks run at once in one worker."),
});

/** `agents.yaml`: the council's personas and its default agent. */
export const agentsFileSchema = z.strictObject({
  version,
  default_agent: id.describe('The agent that gets a task no rule matches.'),
  agents: z.array(agentSchema).min(1, { error: 'a council needs at least one agent' }),
});
export type AgentsFile = z.output<typeof agentsFileSchema>;

// A bare number is a fine keyword (an HTTP status such as 502); YAML reads it as a number, so it is taken as written.
const keyword = z.union([text, z.number().transform((number) => String(number))], { error: 'must be a word or a phrase' });

export const ruleSchema = z.strictObject({
  id,
  agent: id.describe('The agent this rule scores for.'),
  type: text.optional().describe('The task type a task gets when this rule decides it.'),
  keywords: z
    .array(keyword, { error: 'must be a list of words or phrases' })
    .min(1, { error: 'must not be an empty list; leave the field out instead' })
    .optional()
    .describe('Words and phrases matched as whole words, with their inflections.'),
  weight: z.number().positive({ error: 'must be greater than 0' }).optional().describe('Added to the agent when the rule matches. Default 1.'),
  when: conditionSchema.optional().describe('A json-rules-engine condition over title, description, priority, tags, source and properties.'),
});
export type RuleSpec = z.output<typeof ruleSchema>;

/** How scores become a confidence: softmax(score / temperature). Written by `kurultai fit`, at most once per council. */
export const calibrationSchema = z.strictObject({
  temperature: z.number().positive({ error: 'must be greater than 0' }).describe('Scores are divided by this before the softmax; fitted on held-out examples.'),
});
export type Calibration = z.output<typeof calibrationSchema>;

/** What to do with a decision the rules are unsure of: ask the orchestrator agent. At most once per council. */
export const fallbackSchema = z.strictObject({
  below: z.number().gt(0, { error: 'must be greater than 0' }).max(1, { error: 'must be at most 1' }).describe('Ask when the confidence is below this.'),
  ask: id.describe("The agent asked to choose, through the configured spawner; its max_concurrent bounds the questions in flight (default 2)."),
  timeout_seconds: z.int().min(1).optional().describe('How long the orchestrator may take before the rules\' decision stands. Default 60.'),
});
export type FallbackSpec = z.output<typeof fallbackSchema>;

/** A routing rules file (`routing.yaml` and any other rules file in the folder). */
export const routingFileSchema = z.strictObject({
  version,
  calibration: calibrationSchema.optional(),
  fallback: fallbackSchema.optional(),
  rules: z.array(ruleSchema),
});
export type RoutingFile = z.output<typeof routingFileSchema>;

/** `examples.yaml`: labelled task titles, and the accuracy `kurultai test` requires on them. */
export const examplesFileSchema = z.strictObject({
  version,
  min_accuracy: z.number().min(0).max(1).describe('The share of examples (0 to 1) that must route to their expected agent.'),
  examples: z.array(z.strictObject({ text, expect: id })).min(1, { error: 'an examples file needs at least one example' }),
});
export type ExamplesFile = z.output<typeof examplesFileSchema>;
