import { describe, expect, it } from 'vitest';
import { dateOperators, parseIsoDate } from './date-operators.js';

const NOW = Date.parse('2026-12-04T15:00:00Z');
const { dateBefore, dateAfter, withinDays } = dateOperators(() => NOW);

describe('parseIsoDate', () => {
  it('reads a date alone as its whole day in UTC', () => {
    expect(parseIsoDate('2026-12-04')).toEqual({ first: Date.parse('2026-12-04T00:00:00Z'), last: Date.parse('2026-12-04T23:59:59.999Z') });
  });

  it('reads a date and time at its offset, as one instant', () => {
    const instant = Date.parse('2026-12-04T09:00:00Z');
    expect(parseIsoDate('2026-12-04T10:00:00.000+01:00')).toEqual({ first: instant, last: instant });
  });

  it('reads a time without an offset, or without seconds, as UTC', () => {
    const instant = Date.parse('2026-12-04T10:00:00Z');
    expect([parseIsoDate('2026-12-04T10:00'), parseIsoDate('2026-12-04T10:00:00')]).toEqual([
      { first: instant, last: instant },
      { first: instant, last: instant },
    ]);
  });

  it.each<unknown>(['2026-02-30', '2026-13-01', '2026-12-04T24:00', '2026-12-04T10:60', '2026-12-04T10:00+25:00', '04/12/2026', '2026-12-04 10:00', 'tomorrow', '', 20_261_204, null, { start: '2026-12-04' }])(
    'reads %j as no date',
    (text) => {
      expect(parseIsoDate(text)).toBeUndefined();
    },
  );
});

describe('dateBefore', () => {
  it('holds for a date over before the rule’s date begins', () => {
    expect([dateBefore('2026-12-03', '2026-12-04'), dateBefore('2026-12-03T23:59:59.999Z', '2026-12-04')]).toEqual([true, true]);
  });

  it('does not hold for a time within the rule’s day', () => {
    expect(dateBefore('2026-12-04T00:00:00Z', '2026-12-04')).toBe(false);
  });

  it('compares instants at their offsets', () => {
    expect(dateBefore('2026-12-04T00:30:00+01:00', '2026-12-04')).toBe(true);
  });
});

describe('dateAfter', () => {
  it('holds for a date that begins after the rule’s date is over', () => {
    expect([dateAfter('2026-12-05', '2026-12-04'), dateAfter('2026-12-05T00:00:00Z', '2026-12-04')]).toEqual([true, true]);
  });

  it('does not hold for a time within the rule’s day, wherever its offset puts it', () => {
    expect([dateAfter('2026-12-04T23:00:00Z', '2026-12-04'), dateAfter('2026-12-05T00:30:00+01:00', '2026-12-04')]).toEqual([false, false]);
  });
});

describe('withinDays', () => {
  it('holds for a date from now to that many days ahead, today included', () => {
    expect(['2026-12-04', '2026-12-07', '2026-12-07T15:00:00Z', '2026-12-08', '2026-12-03'].map((date) => withinDays(date, 3))).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it('looks back when the number of days is negative', () => {
    expect(['2026-11-27', '2026-11-26', '2026-12-04T14:00:00Z', '2026-12-05'].map((date) => withinDays(date, -7))).toEqual([true, false, true, false]);
  });

  it('reads the clock it is given at each evaluation', () => {
    let now = NOW;
    const within = dateOperators(() => now).withinDays;
    const before = within('2026-12-10', 1);
    now = Date.parse('2026-12-09T12:00:00Z');
    expect([before, within('2026-12-10', 1)]).toEqual([false, true]);
  });
});

describe('the date operators', () => {
  it.each<unknown>(['soon', '2026-02-30', 20_261_204, null, undefined, ['2026-12-04'], { start: '2026-12-04' }])('never match a fact value %j that is not a date', (value) => {
    expect([dateBefore(value, '2030-01-01'), dateAfter(value, '2000-01-01'), withinDays(value, 100_000), withinDays(value, -100_000)]).toEqual([false, false, false, false]);
  });
});
