import { dateOperators, type DateOperator, type OperatorEvaluator } from './date-operators.js';
import { factPathSegments, readFactPath } from './fact-path.js';
import type { Condition, FactCondition, Operator } from './schema.js';
import type { TaskFacts } from './task-facts.js';

/** A `when` condition compiled to a plain function of the task's facts. */
export type CompiledCondition = (facts: TaskFacts) => boolean;

const isNumeric = (factValue: unknown): boolean => Number.parseFloat(String(factValue)).toString() !== 'NaN';

/**
 * json-rules-engine's operators, written as it writes them (including its fact-value checks: `contains` needs a list,
 * the comparisons a value that parses as a number), so a compiled condition answers exactly as the engine does.
 */
const BUILT_IN_OPERATORS: Readonly<Record<Exclude<Operator, DateOperator>, OperatorEvaluator>> = {
  equal: (a, b) => a === b,
  notEqual: (a, b) => a !== b,
  in: (a, b) => (b as unknown[]).indexOf(a) > -1,
  notIn: (a, b) => (b as unknown[]).indexOf(a) === -1,
  contains: (a, b) => Array.isArray(a) && a.indexOf(b) > -1,
  doesNotContain: (a, b) => Array.isArray(a) && a.indexOf(b) === -1,
  lessThan: (a, b) => isNumeric(a) && (a as number) < (b as number),
  lessThanInclusive: (a, b) => isNumeric(a) && (a as number) <= (b as number),
  greaterThan: (a, b) => isNumeric(a) && (a as number) > (b as number),
  greaterThanInclusive: (a, b) => isNumeric(a) && (a as number) >= (b as number),
};

type Operators = Readonly<Record<Operator, OperatorEvaluator>>;

export interface ConditionOptions {
  /** The clock `withinDays` reads, in milliseconds since the epoch. Default `Date.now`; tests pass a fixed time. */
  readonly now?: () => number;
}

/**
 * Compiles a condition once, at load, into nested closures: no parsing, copying or promises per task. The semantics
 * are json-rules-engine's, quirks included: an empty `all` and an empty `any` both hold, and `not` negates. A `path`
 * reads own fields only, as json-rules-engine's JSONPath does (the schema allows it on the `properties` object alone).
 * The date operators are those `dateOperators` gives json-rules-engine, reading `options.now`.
 */
export function compileCondition(condition: Condition, options: ConditionOptions = {}): CompiledCondition {
  return compileWith(condition, { ...BUILT_IN_OPERATORS, ...dateOperators(options.now) });
}

function compileWith(condition: Condition, operators: Operators): CompiledCondition {
  if ('all' in condition) {
    const parts = condition.all.map((part) => compileWith(part, operators));
    return (facts) => parts.every((part) => part(facts));
  }
  if ('any' in condition) {
    const parts = condition.any.map((part) => compileWith(part, operators));
    if (parts.length === 0) return () => true;
    return (facts) => parts.some((part) => part(facts));
  }
  if ('not' in condition) {
    const inner = compileWith(condition.not, operators);
    return (facts) => !inner(facts);
  }
  return compileComparison(condition, operators);
}

function compileComparison(condition: FactCondition, operators: Operators): CompiledCondition {
  const compare = operators[condition.operator];
  const { fact, value } = condition;
  if (condition.path === undefined) return (facts) => compare(facts[fact], value);
  const segments = factPathSegments(condition.path);
  return (facts) => compare(readFactPath(facts[fact], segments), value);
}
