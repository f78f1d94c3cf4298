import { readFile, stat } from 'node:fs/promises';
import type { z } from 'zod';
import type { Problem } from '../errors.js';
import { DEFAULT_MAX_BYTES, parseYaml, type YamlDocument, type YamlLimits } from './parse-yaml.js';
import { schemaProblems } from './schema-problems.js';

/** A YAML file checked against a schema: the typed value and its document, or every problem found. */
export type YamlLoad<T> =
  | { readonly ok: true; readonly value: T; readonly document: YamlDocument }
  | {
      readonly ok: false;
      readonly problems: readonly Problem[];
      /** The parsed document when only the schema failed, so callers can still check the parts that are sound. */
      readonly document?: YamlDocument;
    };

/**
 * Parses YAML text (or bytes) and validates it with a zod schema; every problem comes back as a place and a message.
 * The value is only returned when there were none.
 */
export function loadYaml<Schema extends z.ZodType>(
  source: string | Uint8Array,
  file: string,
  schema: Schema,
  limits: YamlLimits = {},
): YamlLoad<z.output<Schema>> {
  const parsed = parseYaml(source, file, limits);
  if (!parsed.ok) return parsed;
  const result = schema.safeParse(parsed.document.data);
  if (!result.success) return { ok: false, problems: schemaProblems(parsed.document, result.error.issues), document: parsed.document };
  return { ok: true, value: result.data, document: parsed.document };
}

/** Reads a file and loads it like `loadYaml`; a file that cannot be read is a problem too, not an exception. */
export async function loadYamlFile<Schema extends z.ZodType>(
  file: string,
  schema: Schema,
  limits: YamlLimits = {},
): Promise<YamlLoad<z.output<Schema>>> {
  const bytes = await readYamlBytes(file, limits);
  return typeof bytes === 'string' ? { ok: false, problems: [{ place: { file }, message: bytes }] } : loadYaml(bytes, file, schema, limits);
}

/**
 * The file's bytes, or why they could not be read. The size is checked before reading so a huge file is never loaded;
 * the limit is checked again on the bytes by `parseYaml`.
 */
async function readYamlBytes(file: string, limits: YamlLimits = {}): Promise<Uint8Array | string> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return 'not a file';
    const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
    if (info.size > maxBytes) return `file is ${info.size} bytes, more than the ${maxBytes} bytes allowed`;
    return await readFile(file);
  } catch (error) {
    return error instanceof Error && 'code' in error && error.code === 'ENOENT' ? 'file not found' : `cannot read file: ${String(error)}`;
  }
}
