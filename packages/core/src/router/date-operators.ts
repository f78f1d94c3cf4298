/** The operators `when` conditions add to json-rules-engine's to compare dates. */
export const DATE_OPERATORS = ['dateBefore', 'dateAfter', 'withinDays'] as const;
export type DateOperator = (typeof DATE_OPERATORS)[number];

/** A json-rules-engine operator: the fact's value (read at the path), and the condition's `value`. */
export type OperatorEvaluator = (factValue: unknown, value: unknown) => boolean;

/** The time a date names, in milliseconds since the epoch, both ends included. */
interface DateSpan {
  readonly first: number;
  readonly last: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** The forms `parseIsoDate` reads, for messages and the JSON Schema. */
export const ISO_DATE_FORMS = '2026-12-04, 2026-12-04T10:00 or 2026-12-04T10:00:00.000+01:00';
// A date, then optionally a time (seconds and fraction optional) and an offset: the ISO 8601 forms Notion writes.
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?$/u;
/** `ISO_DATE` for a JSON Schema `pattern`: what an editor can check before the loader checks the calendar. */
export const ISO_DATE_PATTERN = ISO_DATE.source;

/**
 * Reads an ISO 8601 date as the time it names. A date alone is its whole day in UTC (2026-12-04 runs from midnight to
 * midnight UTC); a date and time is one instant, read at its offset, or in UTC when it has none. Anything else, a date
 * that is not on the calendar (2026-02-30) included, is not a date: undefined.
 */
export function parseIsoDate(text: unknown): DateSpan | undefined {
  if (typeof text !== 'string') return undefined;
  const match = ISO_DATE.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction, offset] = match;
  const date = new Date(0);
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  if (date.getUTCFullYear() !== Number(year) || date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day)) return undefined;
  if (hour === undefined) return { first: date.getTime(), last: date.getTime() + DAY_MS - 1 };
  const offsetMinutes = offset === undefined || offset === 'Z' ? 0 : offsetInMinutes(offset);
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second ?? 0) > 59 || offsetMinutes === undefined) return undefined;
  const milliseconds = Number((fraction ?? '').padEnd(3, '0').slice(0, 3));
  date.setUTCHours(Number(hour), Number(minute) - offsetMinutes, Number(second ?? 0), milliseconds);
  return { first: date.getTime(), last: date.getTime() };
}

function offsetInMinutes(offset: string): number | undefined {
  const hours = Number(offset.slice(1, 3));
  const minutes = Number(offset.slice(4, 6));
  if (hours > 23 || minutes > 59) return undefined;
  return (offset.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

/**
 * The date operators, as json-rules-engine custom operators (`engine.addOperator(name, evaluator)` runs the same
 * conditions there). A fact value that is not a date never matches.
 * - `dateBefore`: the fact's date is over before the rule's date begins.
 * - `dateAfter`: the fact's date begins after the rule's date is over.
 * - `withinDays`: some of the fact's date falls between now and that many days ahead (a negative number: that many
 *   days back), both ends included.
 * `now` is the clock `withinDays` reads, in milliseconds since the epoch.
 */
export function dateOperators(now: () => number = Date.now): Readonly<Record<DateOperator, OperatorEvaluator>> {
  return {
    dateBefore: (factValue, value) => compareDates(factValue, value, (fact, rule) => fact.last < rule.first),
    dateAfter: (factValue, value) => compareDates(factValue, value, (fact, rule) => fact.first > rule.last),
    withinDays: (factValue, days) => {
      const date = parseIsoDate(factValue);
      if (date === undefined || typeof days !== 'number') return false;
      const from = now();
      const to = from + days * DAY_MS;
      return date.first <= Math.max(from, to) && date.last >= Math.min(from, to);
    },
  };
}

function compareDates(factValue: unknown, value: unknown, holds: (fact: DateSpan, rule: DateSpan) => boolean): boolean {
  const fact = parseIsoDate(factValue);
  const rule = parseIsoDate(value);
  return fact !== undefined && rule !== undefined && holds(fact, rule);
}
