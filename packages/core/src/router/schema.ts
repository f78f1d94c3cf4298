import { z } from 'zod';
import { ISO_DATE_FORMS, ISO_DATE_PATTERN, parseIsoDate, type DateOperator } from './date-operators.js';
import { FACT_PATH_FORMS, FACT_PATH_PATTERN, parseFactPath } from './fact-path.js';

/** The facts a `when` condition can test, as json-rules-engine facts. */
export const FACT_NAMES = ['title', 'description', 'priority', 'tags', 'source', 'properties'] as const;
export type FactName = (typeof FACT_NAMES)[number];

const EQUALITY_OPERATORS = ['equal', 'notEqual', 'contains', 'doesNotContain'] as const;
const MEMBERSHIP_OPERATORS = ['in', 'notIn'] as const;
const NUMERIC_OPERATORS = ['lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive'] as const;
const DATE_COMPARISON_OPERATORS = ['dateBefore', 'dateAfter'] as const satisfies readonly DateOperator[];
const DAY_WINDOW_OPERATORS = ['withinDays'] as const satisfies readonly DateOperator[];

/**
 * json-rules-engine's built-in operators, all of which `when` conditions support, then the date operators (custom
 * operators there: see `dateOperators`).
 */
export const OPERATORS = [...EQUALITY_OPERATORS, ...MEMBERSHIP_OPERATORS, ...NUMERIC_OPERATORS, ...DATE_COMPARISON_OPERATORS, ...DAY_WINDOW_OPERATORS] as const;
export type Operator = (typeof OPERATORS)[number];

/**
 * json-rules-engine reads a value `{fact: ...}` as another fact's value; `when` conditions compare with values written
 * in the rule only, and say so rather than "must be a string".
 */
const FACT_VALUE_UNSUPPORTED = 'a value read from another fact ({fact: ...}) is not supported; write the value to compare with';
const valueError = (expected: string) => (issue: { readonly input?: unknown }) =>
  typeof issue.input === 'object' && issue.input !== null && Object.hasOwn(issue.input, 'fact') ? FACT_VALUE_UNSUPPORTED : expected;

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()], { error: valueError('must be a string, a number, true, false or null') });
const fact = z.enum(FACT_NAMES, { error: `must be one of ${FACT_NAMES.join(', ')}` });
/**
 * A JSONPath into an object fact, limited to the forms whose result is a single value (`$.team.name`,
 * `$['Due Date'].start`, `$.labels[0]`), so a condition reads the same here and in json-rules-engine.
 */
const path = z
  .string()
  .check((context) => {
    const parsed = parseFactPath(context.value);
    if (!parsed.ok) context.issues.push({ code: 'custom', message: parsed.message, input: context.value });
  })
  .meta({ description: `Where to read in the properties fact: ${FACT_PATH_FORMS}.`, pattern: FACT_PATH_PATTERN })
  .optional();

/** A date written in a rule: one `parseIsoDate` reads, so a rule never compares with a date that does not exist. */
const isoDate = z
  .string({ error: valueError(`must be a date such as ${ISO_DATE_FORMS}`) })
  .check((context) => {
    if (parseIsoDate(context.value) === undefined) {
      context.issues.push({ code: 'custom', message: `${JSON.stringify(context.value)} is not a date; write one such as ${ISO_DATE_FORMS}`, input: context.value });
    }
  })
  .meta({ description: `A date alone is its whole day in UTC; a time without an offset is UTC. Such as ${ISO_DATE_FORMS}.`, pattern: ISO_DATE_PATTERN });
const days = z
  .number({ error: valueError('must be a number of days: ahead of now, or behind it when negative') })
  .describe('How many days from now: ahead, or behind when negative.');

const pathOnlyOnProperties = (condition: { fact: FactName; path?: string | undefined }) => condition.path === undefined || condition.fact === 'properties';
const pathRefinement = { error: 'path only applies to the properties fact', path: ['path'] };
const factCondition = z.discriminatedUnion(
  'operator',
  [
    z.strictObject({ fact, operator: z.enum(EQUALITY_OPERATORS), value: scalar, path }).refine(pathOnlyOnProperties, pathRefinement),
    z
      .strictObject({ fact, operator: z.enum(MEMBERSHIP_OPERATORS), value: z.array(scalar, { error: valueError('must be a list for in and notIn') }), path })
      .refine(pathOnlyOnProperties, pathRefinement),
    z
      .strictObject({ fact, operator: z.enum(NUMERIC_OPERATORS), value: z.number({ error: valueError('must be a number for this operator') }), path })
      .refine(pathOnlyOnProperties, pathRefinement),
    z.strictObject({ fact, operator: z.enum(DATE_COMPARISON_OPERATORS), value: isoDate, path }).refine(pathOnlyOnProperties, pathRefinement),
    z.strictObject({ fact, operator: z.enum(DAY_WINDOW_OPERATORS), value: days, path }).refine(pathOnlyOnProperties, pathRefinement),
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

/**
 * json-rules-engine's `{condition: name}` refers to a shared condition registered on its Engine; rules files have no
 * such registry, so a reference is refused with what to write instead. Nothing passes this branch: it is there so the
 * loader reports the reference at `condition` rather than a missing `operator`.
 */
const CONDITION_REFERENCE_UNSUPPORTED =
  "condition references (json-rules-engine's shared conditions) are not supported; write the condition out, or share it with a YAML anchor (&name) and alias (*name)";
const conditionReference = z.looseObject({ condition: z.never({ error: CONDITION_REFERENCE_UNSUPPORTED }) }).pipe(z.never());

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union(
    [
      z.strictObject({ all: z.array(conditionSchema) }),
      z.strictObject({ any: z.array(conditionSchema) }),
      z.strictObject({ not: conditionSchema }),
      factCondition,
      conditionReference,
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

export const ruleSchema = z
  .strictObject({
    id,
    agent: id.describe('The agent this rule scores for.'),
    type: text.optional().describe('The task type a task gets when this rule decides it.'),
    keywords: z
      .array(keyword, { error: 'must be a list of words or phrases' })
      .min(1, { error: 'must not be an empty list; leave the field out instead' })
      .optional()
      .describe('Words and phrases matched as whole words, with their inflections.'),
    weight: z.number().positive({ error: 'must be greater than 0' }).optional().describe('Added to the agent when the rule matches. Default 1.'),
    weights: z
      .record(z.string().trim().min(1, { error: 'a word or phrase must not be empty' }), z.number().positive({ error: 'must be greater than 0' }), {
        error: 'must map words or phrases to weights',
      })
      .refine((weights) => Object.keys(weights).length > 0, { error: 'must not be empty; leave the field out instead' })
      .optional()
      .describe('Words and phrases, each with its own weight: every one found in the task adds its weight (what `kurultai fit` writes).'),
    when: conditionSchema.optional().describe('A json-rules-engine condition over title, description, priority, tags, source and properties.'),
  })
  .refine((rule) => rule.weights === undefined || (rule.keywords === undefined && rule.weight === undefined), {
    error: 'a rule has either keywords with one weight, or weights per word; not both',
    path: ['weights'],
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
