import { Engine } from 'json-rules-engine';
import { describe, expect, it } from 'vitest';
import { FACT_PATH_FORMS, factPathSegments, parseFactPath, readFactPath } from './fact-path.js';

/** Keys as sources make them: Notion's camelCase in any script, task files' names as written. */
const PROPERTIES = {
  'Due Date': { start: '2026-12-04', end: null },
  équipe: 'Platform',
  '2ndReviewer': 'Ada',
  '2nd reviewer': 'Bob',
  'Progress %': 40,
  'a.b': 'dotted',
  'a~b': 'tilde',
  'x(y)': 'parens',
  'C:\\dir': 'backslash',
  '1:2x': 'colon',
  ' padded ': 'spaces',
  labels: ['urgent', 'backend'],
  team: { name: 'Platform', lead: '' },
};

/** What json-rules-engine reads at `path`, caught by an operator that records its fact value; or what it throws. */
async function engineReads(properties: object, path: string): Promise<unknown> {
  let read: unknown;
  const engine = new Engine([], { allowUndefinedFacts: true });
  engine.addOperator('read', (factValue: unknown) => {
    read = factValue;
    return true;
  });
  engine.addRule({ conditions: { all: [{ fact: 'properties', path, operator: 'read', value: null }] }, event: { type: 'read' } });
  try {
    await engine.run({ properties: structuredClone(properties) });
  } catch (error) {
    return error;
  }
  return read;
}

describe('parseFactPath', () => {
  it.each<[string, unknown]>([
    ["$['Due Date']", { start: '2026-12-04', end: null }],
    ["$['Due Date'].start", '2026-12-04'],
    ['$["Due Date"].start', '2026-12-04'],
    ["$['Due Date']['end']", null],
    ['$.équipe', 'Platform'],
    ['$.2ndReviewer', 'Ada'],
    ["$['2nd reviewer']", 'Bob'],
    ["$['Progress %']", 40],
    ["$['a.b']", 'dotted'],
    ["$['a~b']", 'tilde'],
    ["$['x(y)']", 'parens'],
    ["$['C:\\dir']", 'backslash'],
    ["$['1:2x']", 'colon'],
    ["$[' padded ']", 'spaces'],
    ['$.labels[1]', 'backend'],
    ["$['labels'][0]", 'urgent'],
    ['$.labels.0', 'urgent'],
    ['$.labels[2]', undefined],
    ['$.team.name', 'Platform'],
    ['$.team.lead.length', undefined],
    ['$.team.name.length', 8],
  ])('reads %s as json-rules-engine does', async (path, expected) => {
    expect({ kurultai: readFactPath(PROPERTIES, factPathSegments(path)), engine: await engineReads(PROPERTIES, path) }).toEqual({
      kurultai: expected,
      engine: expected,
    });
  });

  it.each([
    ['$..team', 'recursive descent (..)'],
    ['$.*', 'a wildcard (*)'],
    ['$.labels[*]', 'a wildcard (*)'],
    ["$['team','labels']", 'a union ([a,b])'],
    ['$.labels[0,1]', 'a union ([a,b])'],
    ['$.labels[0:2]', 'a slice ([start:end])'],
    ['$.labels[-1:]', 'a slice ([start:end])'],
    ['$.labels[?(@ === "urgent")]', 'a filter ([?(...)])'],
    ['$.labels[(@.length-1)]', 'a script ([(...)])'],
  ])('refuses %s, which can yield several values', (path, form) => {
    expect(parseFactPath(path)).toEqual({ ok: false, message: `${form} can yield several values; a path must lead to one value (${FACT_PATH_FORMS})` });
  });

  it.each(['a,b', 'x;y', 'x^y', 'a@string()b', '@home', '`team', '*', '..', '~', '$', '1:2', '(team', '?(team)'])(
    'refuses the name %j, which json-rules-engine reads as path syntax instead of that key',
    async (name) => {
      const path = `$['${name}']`;
      const properties = { [name]: 'value', team: 'other', a: 'other', b: 'other', x: 'other', y: 'other' };
      expect({ refused: !parseFactPath(path).ok, engineReadsTheKey: (await engineReads(properties, path)) === 'value' }).toEqual({
        refused: true,
        engineReadsTheKey: false,
      });
    },
  );

  it.each(['team', '$', '$.', '$team', '$[team]', "$['team'", "$['team\"]", '$.Due Date', '$.labels[-1]', "$['']"])('refuses the malformed path %j', (path) => {
    expect(parseFactPath(path).ok).toBe(false);
  });

  it('stops compiling a path that never passed the schema with a coded error', () => {
    expect(() => factPathSegments('$..team')).toThrow(expect.objectContaining({ code: 'invalid_condition' }));
  });

  it('says what a path looks like when one is malformed', () => {
    expect(parseFactPath('$[team]')).toEqual({ ok: false, message: `must look like ${FACT_PATH_FORMS}; "[team]" does not` });
  });
});
