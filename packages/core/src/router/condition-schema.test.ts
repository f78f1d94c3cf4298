import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatProblem } from '../errors.js';
import { loadYaml } from '../yaml/load-yaml.js';
import { ISO_DATE_FORMS } from './date-operators.js';
import { FACT_PATH_FORMS } from './fact-path.js';
import { rulesJsonSchemas } from './json-schemas.js';
import { routingFileSchema } from './schema.js';

const CONDITION_REFERENCE =
  "condition references (json-rules-engine's shared conditions) are not supported; write the condition out, or share it with a YAML anchor (&name) and alias (*name)";
const FACT_VALUE = 'a value read from another fact ({fact: ...}) is not supported; write the value to compare with';

/** A routing file with one rule whose `when` is written as given (flow style, on line 3). */
const ruleWhen = (when: string) => `version: 1\nrules:\n  - { id: a, agent: lead, when: ${when} }\n`;

function problemsOf(text: string): string[] {
  const result = loadYaml(text, 'routing.yaml', routingFileSchema);
  return result.ok ? [] : result.problems.map(formatProblem);
}

const editorCheck = new Ajv2020({ allErrors: true, strict: false }).compile(rulesJsonSchemas()['routing.schema.json'] ?? {});
/** Whether an editor reading the shipped JSON Schema accepts the file. */
const editorAccepts = (text: string): boolean => editorCheck(parse(text));

describe('a when condition in a routing file', () => {
  it('accepts a bracketed path to a key with spaces, mixed with a dotted name', () => {
    expect(problemsOf(ruleWhen(`{ fact: properties, path: "$['Due Date'].start", operator: equal, value: x }`))).toEqual([]);
  });

  it('reports a path that can yield several values at the path', () => {
    expect(problemsOf(ruleWhen('{ fact: properties, path: $..team, operator: equal, value: x }'))).toEqual([
      `routing.yaml:3:59: rules[0].when.path: recursive descent (..) can yield several values; a path must lead to one value (${FACT_PATH_FORMS})`,
    ]);
  });

  it('refuses a condition reference, saying it is not supported and what to write instead', () => {
    expect(problemsOf(ruleWhen('{ all: [{ fact: title, operator: equal, value: x }, { condition: urgent }] }'))).toEqual([
      `routing.yaml:3:98: rules[0].when.all[1].condition: ${CONDITION_REFERENCE}`,
    ]);
  });

  it.each([
    ['equal', '{ fact: title }'],
    ['in', '{ fact: tags }'],
    ['greaterThan', '{ fact: properties, path: $.points }'],
  ])('refuses a value read from another fact for %s, saying it is not supported', (operator, value) => {
    expect(problemsOf(ruleWhen(`{ fact: priority, operator: ${operator}, value: ${value} }`))).toEqual([
      `routing.yaml:3:${operator.length + 70}: rules[0].when.value: ${FACT_VALUE}`,
    ]);
  });

  it('accepts dates compared before, after and within days of now', () => {
    const when = `{ all: [{ fact: properties, path: $.due, operator: dateBefore, value: 2026-12-04 }, { fact: properties, path: $.due, operator: dateAfter, value: "2026-11-01T09:30:00+01:00" }, { fact: properties, path: $.due, operator: withinDays, value: -7 }] }`;
    expect(problemsOf(ruleWhen(when))).toEqual([]);
  });

  it('reports a date that is not on the calendar at its place', () => {
    expect(problemsOf(ruleWhen('{ fact: properties, path: $.due, operator: dateBefore, value: 2026-02-30 }'))).toEqual([
      `routing.yaml:3:95: rules[0].when.value: "2026-02-30" is not a date; write one such as ${ISO_DATE_FORMS}`,
    ]);
  });

  it('reports a date written in another format at its place', () => {
    expect(problemsOf(ruleWhen('{ fact: properties, path: $.due, operator: dateAfter, value: 04/12/2026 }'))).toEqual([
      `routing.yaml:3:94: rules[0].when.value: "04/12/2026" is not a date; write one such as ${ISO_DATE_FORMS}`,
    ]);
  });

  it('reports withinDays with something other than a number of days', () => {
    expect(problemsOf(ruleWhen('{ fact: properties, path: $.due, operator: withinDays, value: week }'))).toEqual([
      'routing.yaml:3:95: rules[0].when.value: must be a number of days: ahead of now, or behind it when negative',
    ]);
  });

  it('lets an editor flag a date written in another format', () => {
    expect(editorAccepts(ruleWhen('{ fact: properties, path: $.due, operator: dateAfter, value: 04/12/2026 }'))).toBe(false);
  });

  it.each(["$['Due Date'].start", '$["Due Date"]', '$.équipe', '$.2ndReviewer', '$.labels[0]'])('lets an editor accept the path %s', (path) => {
    expect(editorAccepts(ruleWhen(`{ fact: properties, path: ${JSON.stringify(path)}, operator: equal, value: x }`))).toBe(true);
  });

  it.each(['$..team', '$.*', '$.labels[0:2]', "$['team','labels']", '$.labels[?(@.x)]'])('lets an editor flag the path %s', (path) => {
    expect(editorAccepts(ruleWhen(`{ fact: properties, path: ${JSON.stringify(path)}, operator: equal, value: x }`))).toBe(false);
  });
});
