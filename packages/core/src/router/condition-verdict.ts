import { PRIORITIES } from '../task.js';
import { DATE_OPERATORS } from './date-operators.js';
import type { Condition, FactCondition, FactName } from './schema.js';

/** What can be known about a condition before any task is seen. */
export type ConditionVerdict =
  | { readonly kind: 'depends' }
  | { readonly kind: 'always' }
  | { readonly kind: 'never'; readonly reason: string };

const DEPENDS: ConditionVerdict = { kind: 'depends' };
const ALWAYS: ConditionVerdict = { kind: 'always' };
const TEXT_FACTS: ReadonlySet<string> = new Set(['title', 'description', 'priority', 'source']);
const LIST_OPERATORS: ReadonlySet<string> = new Set(['contains', 'doesNotContain']);
const DATE_OPERATOR_NAMES: ReadonlySet<string> = new Set(DATE_OPERATORS);
/** The facts that can never hold a date, and what they hold instead (the properties object only without a path). */
const NEVER_A_DATE: Partial<Record<FactName, string>> = {
  priority: 'a word, never a date',
  tags: 'a list, never a date',
  properties: "an object, never a date (give a path, such as $['Due Date'].start)",
};
const NUMERIC_OPERATORS: ReadonlySet<string> = new Set(['lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive']);

/**
 * Finds conditions that can never hold, whatever the task: a rule built on one is a mistake the loader reports rather
 * than a rule that silently never fires. Conservative: "depends" whenever a task could make a difference.
 */
export function conditionVerdict(condition: Condition): ConditionVerdict {
  if ('all' in condition) {
    const verdicts = condition.all.map(conditionVerdict);
    return verdicts.find((verdict) => verdict.kind === 'never') ?? (verdicts.every((verdict) => verdict.kind === 'always') ? ALWAYS : DEPENDS);
  }
  if ('any' in condition) {
    const verdicts = condition.any.map(conditionVerdict);
    if (verdicts.length === 0 || verdicts.some((verdict) => verdict.kind === 'always')) return ALWAYS;
    return verdicts.every((verdict) => verdict.kind === 'never') ? (verdicts[0] ?? DEPENDS) : DEPENDS;
  }
  if ('not' in condition) {
    const inner = conditionVerdict(condition.not);
    if (inner.kind === 'never') return ALWAYS;
    return inner.kind === 'always' ? { kind: 'never', reason: 'its "not" negates a condition that always holds' } : DEPENDS;
  }
  return comparisonVerdict(condition);
}

function comparisonVerdict({ fact, operator, value, path }: FactCondition): ConditionVerdict {
  if (LIST_OPERATORS.has(operator) && (TEXT_FACTS.has(fact) || (fact === 'properties' && path === undefined))) {
    return { kind: 'never', reason: `"${operator}" tests a list, and ${fact} is not one (use tags, or a keyword)` };
  }
  const notADate = DATE_OPERATOR_NAMES.has(operator) ? NEVER_A_DATE[fact] : undefined;
  if (notADate !== undefined && (fact !== 'properties' || path === undefined)) return { kind: 'never', reason: `"${operator}" tests a date, and ${fact} is ${notADate}` };
  if (fact !== 'priority') return DEPENDS;
  const priorities: readonly unknown[] = PRIORITIES;
  if (NUMERIC_OPERATORS.has(operator)) return { kind: 'never', reason: `priority is a word (${PRIORITIES.join(', ')}), never a number` };
  if (operator === 'equal' && !priorities.includes(value)) return { kind: 'never', reason: `priority is never ${JSON.stringify(value)}; it is one of ${PRIORITIES.join(', ')}` };
  if (operator === 'in' && Array.isArray(value) && !value.some((item) => priorities.includes(item))) {
    return { kind: 'never', reason: `none of ${JSON.stringify(value)} is a priority (${PRIORITIES.join(', ')})` };
  }
  return DEPENDS;
}
