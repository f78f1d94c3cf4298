import { describe, expect, it } from 'vitest';
import { conditionVerdict } from './condition-verdict.js';
import type { Condition } from './schema.js';

const kind = (condition: Condition) => conditionVerdict(condition).kind;

describe('conditionVerdict', () => {
  it('finds contains on a text fact impossible', () => {
    expect(kind({ fact: 'title', operator: 'contains', value: 'x' })).toBe('never');
  });

  it('finds a priority that does not exist impossible', () => {
    expect(kind({ fact: 'priority', operator: 'equal', value: 'urgent' })).toBe('never');
    expect(kind({ fact: 'priority', operator: 'in', value: ['urgent', 'p1'] })).toBe('never');
  });

  it('finds a numeric comparison of priority impossible', () => {
    expect(kind({ fact: 'priority', operator: 'greaterThan', value: 1 })).toBe('never');
  });

  it('finds a date comparison of priority, tags or the whole properties object impossible', () => {
    expect([
      conditionVerdict({ fact: 'priority', operator: 'dateBefore', value: '2026-12-04' }),
      conditionVerdict({ fact: 'tags', operator: 'withinDays', value: 7 }),
      conditionVerdict({ fact: 'properties', operator: 'dateAfter', value: '2026-12-04' }),
    ]).toEqual([
      { kind: 'never', reason: '"dateBefore" tests a date, and priority is a word, never a date' },
      { kind: 'never', reason: '"withinDays" tests a date, and tags is a list, never a date' },
      { kind: 'never', reason: `"dateAfter" tests a date, and properties is an object, never a date (give a path, such as $['Due Date'].start)` },
    ]);
  });

  it('finds a date comparison of a property possible', () => {
    expect(kind({ fact: 'properties', path: '$.due', operator: 'withinDays', value: 7 })).toBe('depends');
  });

  it('finds an all with one impossible part impossible', () => {
    expect(kind({ all: [{ fact: 'tags', operator: 'contains', value: 'x' }, { fact: 'source', operator: 'doesNotContain', value: 'y' }] })).toBe('never');
  });

  it('finds an any possible when one part is', () => {
    expect(kind({ any: [{ fact: 'tags', operator: 'contains', value: 'x' }, { fact: 'source', operator: 'contains', value: 'y' }] })).toBe('depends');
  });

  it('finds the negation of an always-true condition impossible', () => {
    expect(kind({ not: { all: [] } })).toBe('never');
  });

  it('finds a condition on a real priority possible', () => {
    expect(kind({ fact: 'priority', operator: 'in', value: ['critical', 'urgent'] })).toBe('depends');
  });
});
