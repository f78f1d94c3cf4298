import { isMap, isPair, isScalar, LineCounter, parseDocument, Scalar, visit, type Document, type Node, type YAMLError } from 'yaml';
import type { Place, Problem } from '../errors.js';
import { decodeUtf8 } from './decode-utf8.js';

/** Limits that keep a hand-edited file from exhausting the process. */
export interface YamlLimits {
  /** Files larger than this are refused before parsing. Default 1 MiB. */
  readonly maxBytes?: number;
  /** Alias expansions allowed when the document becomes plain data (defeats "billion laughs"). Default 100. */
  readonly maxAliasCount?: number;
}

/** A parsed YAML file: its plain data, and the places its nodes came from. */
export interface YamlDocument {
  readonly file: string;
  readonly data: unknown;
  /**
   * Where the value at `path` was written. For a map key that is not there (a missing field), the place of the map;
   * with `key: true`, the place of the key itself rather than its value (for unknown fields).
   */
  placeOf(path: readonly PropertyKey[], options?: { readonly key?: boolean }): Place;
}

export type YamlParse = { readonly ok: true; readonly document: YamlDocument } | { readonly ok: false; readonly problems: readonly Problem[] };

/** The size limit `parseYaml` applies when none is given. */
export const DEFAULT_MAX_BYTES = 1024 * 1024;
/** The alias limit `parseYaml` applies when none is given: more than a hand-written file needs, far fewer than an alias bomb. */
export const DEFAULT_MAX_ALIAS_COUNT = 100;

/**
 * Parses YAML safely: refuses oversized input and bytes that are not UTF-8, reports every syntax error with its place,
 * and caps alias expansion. Nothing is returned unless the whole file parsed.
 */
export function parseYaml(source: string | Uint8Array, file: string, limits: YamlLimits = {}): YamlParse {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = typeof source === 'string' ? Buffer.byteLength(source, 'utf8') : source.byteLength;
  if (size > maxBytes) {
    return refuse(file, `file is ${size} bytes, more than the ${maxBytes} bytes allowed`);
  }
  const decoded = typeof source === 'string' ? { ok: true as const, text: source } : decodeUtf8(source);
  if (!decoded.ok) {
    const byte = decoded.byte.toString(16).toUpperCase().padStart(2, '0');
    return refuse(file, `file is not valid UTF-8 (byte 0x${byte} here); save it as UTF-8`, textEnd(decoded.textBefore));
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(decoded.text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const problems: Problem[] = [...doc.errors, ...doc.warnings].map((error) => syntaxProblem(doc, lineCounter, file, error));
  if (problems.length > 0) return { ok: false, problems };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: limits.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT });
  } catch (error) {
    // The yaml package throws a ReferenceError for excessive alias expansion; anything else is a bug worth surfacing.
    if (!(error instanceof ReferenceError)) throw error;
    return refuse(file, `too many alias expansions (${firstLine(error.message)})`);
  }
  return { ok: true, document: { file, data, placeOf: (path, options) => placeOfPath(doc, lineCounter, file, path, options?.key ?? false) } };
}

function refuse(file: string, message: string, at: { readonly line: number; readonly column: number } = { line: 1, column: 1 }): YamlParse {
  return { ok: false, problems: [{ place: { file, ...at }, message }] };
}

/** The line and column just after `text`, counted as the yaml package counts them (UTF-16 units, lines split at \n). */
function textEnd(text: string): { readonly line: number; readonly column: number } {
  const lastBreak = text.lastIndexOf('\n');
  return { line: text.split('\n').length, column: text.length - lastBreak };
}

function syntaxProblem(doc: Document, lineCounter: LineCounter, file: string, error: YAMLError): Problem {
  const quoted = error.code === 'MISSING_CHAR' ? unclosedQuoteEndingAt(doc, error.pos[0]) : undefined;
  if (quoted === undefined) return { place: placeAt(file, lineCounter, error.pos[0]), message: firstLine(error.message) };
  const quote = quoted.type === Scalar.QUOTE_DOUBLE ? '"' : "'";
  return { place: placeAt(file, lineCounter, quoted.range?.[0] ?? error.pos[0]), message: `the string that opens here has no closing ${quote} quote` };
}

/**
 * The yaml package reports a quoted string that is never closed where the file (or the flow collection) ends, which
 * may be many lines on; the string it swallowed, ending at that offset, says where the quote was opened.
 */
function unclosedQuoteEndingAt(doc: Document, offset: number): Scalar | undefined {
  let found: Scalar | undefined;
  visit(doc, {
    Scalar(_, node) {
      if ((node.type !== Scalar.QUOTE_DOUBLE && node.type !== Scalar.QUOTE_SINGLE) || node.range?.[1] !== offset) return undefined;
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

/** The yaml package's pretty errors add a code excerpt after the first line; the place already points there. */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

function placeAt(file: string, lineCounter: LineCounter, offset: number): Place {
  const { line, col } = lineCounter.linePos(offset);
  return { file, line, column: col };
}

/** Walks down the path as far as the document goes, so a missing field points at the map that lacks it. */
function placeOfPath(doc: Document, lineCounter: LineCounter, file: string, path: readonly PropertyKey[], key: boolean): Place {
  let node: Node | null | undefined = doc.contents;
  let offset = node?.range?.[0] ?? 0;
  for (const [index, segment] of path.entries()) {
    if (!isCollectionNode(node)) break;
    const last = index === path.length - 1;
    const pair = isMap(node) ? node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment)) : undefined;
    if (last && key && pair !== undefined && isScalar(pair.key)) {
      offset = pair.key.range?.[0] ?? offset;
      break;
    }
    const child = node.get(typeof segment === 'number' ? segment : String(segment), true) as Node | undefined;
    if (child === undefined || child === null) {
      if (pair !== undefined && isScalar(pair.key)) offset = pair.key.range?.[0] ?? offset;
      break;
    }
    node = child;
    offset = child.range?.[0] ?? offset;
  }
  return placeAt(file, lineCounter, offset);
}

function isCollectionNode(node: unknown): node is { get(key: unknown, keepScalar: true): unknown; items: unknown[] } {
  return typeof node === 'object' && node !== null && 'items' in node && 'get' in node;
}
