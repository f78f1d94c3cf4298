import { describe, expect, it } from 'vitest';
import { formatProblem } from '../errors.js';
import { parseYaml } from './parse-yaml.js';

const problemsOf = (source: string | Uint8Array, limits = {}) => {
  const result = parseYaml(source, 'f.yaml', limits);
  return result.ok ? [] : result.problems.map(formatProblem);
};

const ALIAS_BOMB = [
  'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
].join('\n');

describe('parseYaml', () => {
  it('gives the plain data of a valid file', () => {
    const result = parseYaml('name: Möngke\nlist: [1, 2]\n', 'f.yaml');
    expect(result.ok && result.document.data).toEqual({ name: 'Möngke', list: [1, 2] });
  });

  it('reports every syntax error with its line and column', () => {
    expect(problemsOf('a: [1, 2\nb: c: d\n')).toEqual([
      'f.yaml:2:1: Flow sequence in block collection must be sufficiently indented and end with a ]',
      'f.yaml:2:4: Nested mappings are not allowed in compact mappings',
    ]);
  });

  it('refuses an alias bomb instead of expanding it', () => {
    expect(problemsOf(ALIAS_BOMB)).toEqual(['f.yaml:1:1: too many alias expansions (Excessive alias count indicates a resource exhaustion attack)']);
  });

  it('allows a few aliases', () => {
    expect(problemsOf('base: &words [a, b]\nmore: *words\n')).toEqual([]);
  });

  it('refuses input over the size limit', () => {
    expect(problemsOf('a: 1234567890\n', { maxBytes: 8 })).toEqual(['f.yaml:1:1: file is 14 bytes, more than the 8 bytes allowed']);
  });

  it.each([
    ['a double-quoted', 'a: 1\nb: "open\nc: d\n', 'f.yaml:2:4: the string that opens here has no closing " quote'],
    ['a single-quoted', "list:\n  - 'ok'\n  - 'it''s\n  - z\n", "f.yaml:3:5: the string that opens here has no closing ' quote"],
    ['a quoted key', '"key\n: v\n', 'f.yaml:1:1: the string that opens here has no closing " quote'],
  ])('reports %s string with no closing quote where it opens', (_, source, problem) => {
    expect(problemsOf(source)).toEqual([problem]);
  });

  it.each([
    ['a Latin-1 letter', [0x61, 0x3a, 0x20, 0xe9, 0x0a], 'f.yaml:1:4: file is not valid UTF-8 (byte 0xE9 here); save it as UTF-8'],
    ['a byte on a later line, after UTF-8 letters', [...new TextEncoder().encode('a: 1\nnom: Ög'), 0x80, 0x0a], 'f.yaml:2:8: file is not valid UTF-8 (byte 0x80 here); save it as UTF-8'],
    ['a sequence cut short at the end', [...new TextEncoder().encode('a: b\nc: '), 0xe2, 0x82], 'f.yaml:2:4: file is not valid UTF-8 (byte 0xE2 here); save it as UTF-8'],
  ])('refuses bytes that are not UTF-8 at the first of them: %s', (_, bytes, problem) => {
    expect(problemsOf(new Uint8Array(bytes))).toEqual([problem]);
  });

  it('reads UTF-8 bytes', () => {
    const result = parseYaml(new TextEncoder().encode('name: Ögedei\n'), 'f.yaml');
    expect(result.ok && result.document.data).toEqual({ name: 'Ögedei' });
  });

  it('refuses duplicate keys', () => {
    expect(problemsOf('a: 1\na: 2\n')).toEqual(['f.yaml:2:1: Map keys must be unique']);
  });

  it('places a value, a key, and a missing field', () => {
    const result = parseYaml('top:\n  items:\n    - name: x\n      size: 3\n', 'f.yaml');
    if (!result.ok) throw new Error('expected the document to parse');
    expect(result.document.placeOf(['top', 'items', 0, 'size'])).toEqual({ file: 'f.yaml', line: 4, column: 13 });
    expect(result.document.placeOf(['top', 'items', 0, 'size'], { key: true })).toEqual({ file: 'f.yaml', line: 4, column: 7 });
    expect(result.document.placeOf(['top', 'items', 0, 'color'])).toEqual({ file: 'f.yaml', line: 3, column: 7 });
  });
});
