import { Engine } from 'json-rules-engine';
import { describe, expect, it } from 'vitest';
import { PRIORITIES, type Priority } from '../task.js';
import { compileCondition } from './compile-condition.js';
import { dateOperators } from './date-operators.js';
import { conditionSchema, FACT_NAMES, OPERATORS, type Condition, type FactName } from './schema.js';
import type { TaskFacts } from './task-facts.js';

/** A small seeded generator (mulberry32), so a disagreement found once is found again. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCALARS = ['high', 'critical', 'low', 'security', 'bug', 'Platform', '3', '', 1, 3, 0, 5, true, false, null];
const NUMBERS = [-1, 0, 1, 2.5, 3, 5, 10];
const DATES = ['2026-12-04', '2026-12-05', '2026-11-27', '2026-12-04T10:00:00.000+01:00', '2026-12-04T23:30:00Z', '2026-12-08T09:00'];
/** The fixed "now" both engines read for `withinDays`. */
const NOW = Date.parse('2026-12-04T15:00:00Z');
const PATHS = [
  '$.team',
  '$.points',
  '$.nested.level',
  '$.labels',
  '$.missing',
  '$.team.length',
  '$.nested.missing.deeper',
  "$['Due Date'].start",
  '$["Due Date"]',
  '$.équipe',
  "$['2nd reviewer']",
  '$.labels[0]',
  "$['nested']['level']",
  '$.due',
];

function generateCondition(random: () => number, depth: number): Condition {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const roll = random();
  if (depth > 0 && roll < 0.15) return { all: Array.from({ length: Math.floor(random() * 4) }, () => generateCondition(random, depth - 1)) };
  if (depth > 0 && roll < 0.3) return { any: Array.from({ length: Math.floor(random() * 4) }, () => generateCondition(random, depth - 1)) };
  if (depth > 0 && roll < 0.4) return { not: generateCondition(random, depth - 1) };
  const fact: FactName = pick(FACT_NAMES);
  const path = fact === 'properties' && random() < 0.8 ? { path: pick(PATHS) } : {};
  const operator = pick(OPERATORS);
  if (operator === 'in' || operator === 'notIn') {
    return { fact, operator, value: Array.from({ length: Math.floor(random() * 4) }, () => pick(SCALARS)), ...path };
  }
  if (operator.startsWith('less') || operator.startsWith('greater') || operator === 'withinDays') return { fact, operator, value: pick(NUMBERS), ...path } as Condition;
  if (operator === 'dateBefore' || operator === 'dateAfter') return { fact, operator, value: pick(DATES), ...path };
  return { fact, operator, value: pick(SCALARS), ...path } as Condition;
}

function generateFacts(random: () => number): TaskFacts {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  return {
    title: pick(['Fix the login bug', '42', '7 days of logs', '', 'high', '2026-12-05']),
    description: pick(['', '3', 'Deploy to production']),
    priority: pick<Priority>(PRIORITIES),
    tags: ['security', 'bug', 'docs', '1'].filter(() => random() < 0.4),
    source: pick(['notion', 'file']),
    properties: pick([
      {},
      { team: 'Platform', points: 3, nested: { level: 2 }, labels: ['a', 'b'] },
      { team: 'Web', points: '5', nested: 'flat', labels: [] },
      { team: null, points: null, nested: { level: '2', missing: null } },
      { points: 'many', nested: { level: 10 } },
      { team: '', points: 0, nested: { level: '' }, labels: '' },
      { 'Due Date': { start: 'high' }, équipe: 'Platform', '2nd reviewer': 3, labels: ['security', 1], due: '2026-02-30' },
      { 'Due Date': { start: '2026-12-04', end: null }, due: '2026-12-05T00:30:00+01:00', labels: ['2026-11-30'] },
      { 'Due Date': { start: '2026-12-06T08:00:00.000Z' }, due: '2026-11-27', team: '2026-12-08' },
    ]),
  };
}

async function engineVerdict(condition: Condition, facts: TaskFacts, now = NOW): Promise<boolean> {
  // One Engine per evaluation: json-rules-engine's documented-safe way (an Engine shared by overlapping runs skips rules).
  const engine = new Engine([], { allowUndefinedFacts: true });
  for (const [name, evaluate] of Object.entries(dateOperators(() => now))) engine.addOperator(name, evaluate);
  engine.addRule({ conditions: { all: [structuredClone(condition)] } as never, event: { type: 'match' } });
  const { events } = await engine.run({ ...facts, tags: [...facts.tags], properties: structuredClone(facts.properties) });
  return events.length > 0;
}

describe('compileCondition', () => {
  it('answers as json-rules-engine does on 400 generated conditions, each over 12 generated tasks', async () => {
    const random = seededRandom(20_261_124);
    const disagreements: string[] = [];
    for (let round = 0; round < 400; round += 1) {
      const condition = conditionSchema.parse(generateCondition(random, 3));
      const compiled = compileCondition(condition, { now: () => NOW });
      for (let sample = 0; sample < 12; sample += 1) {
        const facts = generateFacts(random);
        const expected = await engineVerdict(condition, facts);
        if (compiled(facts) !== expected) disagreements.push(`${JSON.stringify(condition)} on ${JSON.stringify(facts)}: engine says ${expected}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('holds for an empty any, as json-rules-engine decides', () => {
    expect(compileCondition({ any: [] })(generateFacts(seededRandom(1)))).toBe(true);
  });

  it('reads a path into the properties fact', () => {
    const facts = { ...generateFacts(seededRandom(2)), properties: { team: { name: 'Platform' } } };
    expect(compileCondition({ fact: 'properties', path: '$.team.name', operator: 'equal', value: 'Platform' })(facts)).toBe(true);
  });

  it('reads undefined through an empty string, as json-rules-engine does', async () => {
    const facts = { ...generateFacts(seededRandom(4)), properties: { team: '' } };
    const condition: Condition = { fact: 'properties', path: '$.team.length', operator: 'equal', value: 0 };
    expect({ kurultai: compileCondition(condition)(facts), engine: await engineVerdict(condition, facts) }).toEqual({ kurultai: false, engine: false });
  });

  it('tests a Notion date against the injected now, as json-rules-engine does with the same operators registered', async () => {
    const facts = { ...generateFacts(seededRandom(5)), properties: { 'Due Date': { start: '2026-12-06T09:00:00.000+01:00', end: null } } };
    const dueSoon: Condition = { fact: 'properties', path: "$['Due Date'].start", operator: 'withinDays', value: 3 };
    const verdicts = async (now: number) => [compileCondition(dueSoon, { now: () => now })(facts), await engineVerdict(dueSoon, facts, now)];
    expect([await verdicts(NOW), await verdicts(Date.parse('2026-12-01T15:00:00Z'))]).toEqual([
      [true, true],
      [false, false],
    ]);
  });

  it('never reads inherited members through a path', () => {
    const facts = { ...generateFacts(seededRandom(3)), properties: {} };
    expect(compileCondition({ fact: 'properties', path: '$.constructor', operator: 'notEqual', value: null })(facts)).toBe(true);
    expect(compileCondition({ fact: 'properties', path: '$.toString', operator: 'equal', value: null })(facts)).toBe(false);
  });
});
