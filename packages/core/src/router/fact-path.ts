import { KurultaiError } from '../errors.js';

/** A `path` read into the names it steps through, or why it is refused. */
export type FactPathParse = { readonly ok: true; readonly segments: readonly string[] } | { readonly ok: false; readonly message: string };

/** What a path may look like, for messages and the JSON Schema. */
export const FACT_PATH_FORMS = "$.name, $['Any name'], $.list[0] or a chain of them such as $['Due Date'].start";

/**
 * A looser form of the grammar as a JSON Schema pattern, for editors: it accepts every path the loader accepts and
 * refuses wildcards, descent, filters, slices and unions. ASCII only, so it reads the same with or without the `u` flag.
 */
export const FACT_PATH_PATTERN = /^\$(?:\.[^\s.[\]'"*~$()@,;:^`?]+|\[\d+\]|\['[^'"[\]`,;^@]+'\]|\["[^'"[\]`,;^@]+"\])+$/u.source;

// A dotted name: letters and digits of any script, "_" and "-" (what Notion property keys are made of).
const DOT_NAME = /[\p{L}\p{M}\p{N}_-]+/uy;
const INDEX = /\d+/y;
// Characters json-rules-engine's JSONPath (jsonpath-plus) reads as syntax even between quotes, so a name holding one
// is not read as that name: "," makes a union, ";" and "^" split the path, "@" starts a type test or breaks the escape
// of dots, a backquote escapes, quotes and brackets end the name.
const RESERVED_CHARACTER = /['"[\]`,;^@]/u;
// Whole names it reads as syntax: a wildcard, descent, property name, the root, a slice, a filter or a script.
const RESERVED_NAME = /^(?:\*|\.\.|~|\$|-?\d*:-?\d*:?\d*|\??\(.*)$/su;

const SEVERAL_VALUES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\.\./u, 'recursive descent (..)'],
  [/^(?:\.\*|\[\*)/u, 'a wildcard (*)'],
  [/^\[\?/u, 'a filter ([?(...)])'],
  [/^\[\(/u, 'a script ([(...)])'],
  [/^\[-?\d*:/u, 'a slice ([start:end])'],
  [/^\[(?:\d+|'[^']*'|"[^"]*"),/u, 'a union ([a,b])'],
];

/**
 * Reads a `path` the way json-rules-engine does (JSONPath, through jsonpath-plus), limited to the forms that lead to
 * exactly one value: `.name`, `['any name']` (or double quotes) and `[index]`. Wildcards, descent, filters, scripts,
 * slices and unions are refused, as are names json-rules-engine would read as something else than the name.
 */
export function parseFactPath(path: string): FactPathParse {
  if (!path.startsWith('$')) return refuse(`must start with $ and look like ${FACT_PATH_FORMS}`);
  const segments: string[] = [];
  let at = 1;
  while (at < path.length) {
    const rest = path.slice(at);
    const several = SEVERAL_VALUES.find(([form]) => form.test(rest));
    if (several !== undefined) return refuse(`${several[1]} can yield several values; a path must lead to one value (${FACT_PATH_FORMS})`);
    const step = readSegment(path, at);
    if (typeof step === 'string') return refuse(step);
    segments.push(step.name);
    at = step.end;
  }
  if (segments.length === 0) return refuse(`must name what to read: ${FACT_PATH_FORMS}`);
  return { ok: true, segments };
}

/** The names of a path that is known to be valid (it passed the schema). */
export function factPathSegments(path: string): readonly string[] {
  const parsed = parseFactPath(path);
  if (!parsed.ok) throw new KurultaiError('invalid_condition', `path ${JSON.stringify(path)} ${parsed.message}`);
  return parsed.segments;
}

/**
 * Reads a value's own members along a path's names, as json-rules-engine's JSONPath does: it stops at any falsy value,
 * so `''.length` is undefined, not 0, and never reads inherited members such as `constructor`.
 */
export function readFactPath(value: unknown, segments: readonly string[]): unknown {
  let current: unknown = value;
  for (const segment of segments) {
    if (!current || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function readSegment(path: string, at: number): { readonly name: string; readonly end: number } | string {
  const syntax = `must look like ${FACT_PATH_FORMS}; "${path.slice(at)}" does not`;
  if (path[at] === '.') return matchAt(DOT_NAME, path, at + 1) ?? syntax;
  if (path[at] !== '[') return syntax;
  const quote = path[at + 1];
  if (quote !== "'" && quote !== '"') {
    const index = matchAt(INDEX, path, at + 1);
    return index !== undefined && path[index.end] === ']' ? { name: index.name, end: index.end + 1 } : syntax;
  }
  const close = path.indexOf(`${quote}]`, at + 2);
  if (close < 0) return syntax;
  const name = path.slice(at + 2, close);
  if (name === '') return 'must not name an empty key';
  if (RESERVED_CHARACTER.test(name) || RESERVED_NAME.test(name)) {
    return `cannot read the name ${JSON.stringify(name)}: json-rules-engine reads it as path syntax (a name may not be * .. ~ $, a slice, start with "(" or hold ' " [ ] \` , ; ^ @)`;
  }
  return { name, end: close + 2 };
}

function matchAt(pattern: RegExp, text: string, at: number): { readonly name: string; readonly end: number } | undefined {
  pattern.lastIndex = at;
  const match = pattern.exec(text);
  return match === null ? undefined : { name: match[0], end: at + match[0].length };
}

function refuse(message: string): FactPathParse {
  return { ok: false, message };
}
