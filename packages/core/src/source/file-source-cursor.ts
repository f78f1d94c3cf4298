import { createHash, type Hash } from 'node:crypto';

/**
 * How far a read got in one task file: how many entries it delivered, and a digest of those entries' keys. A later read
 * skips that many entries only when the file still starts with the same ones; a file edited before its end is read whole
 * again (the sink ignores the ids it already has).
 */
export interface FileProgress {
  readonly entries: number;
  readonly digest: string;
}

/** The file source's cursor: each task file's progress, by its name relative to the watched path. */
export type FileSourceCursor = Map<string, FileProgress>;

const CURSOR_VERSION = 1;

export function encodeFileCursor(cursor: FileSourceCursor): string {
  return JSON.stringify({ v: CURSOR_VERSION, files: Object.fromEntries(cursor) });
}

/** Reads a cursor this source wrote; anything else (another source's cursor, a hand edit) answers undefined. */
export function decodeFileCursor(text: string): FileSourceCursor | undefined {
  try {
    const value = JSON.parse(text) as { v?: unknown; files?: Record<string, Partial<FileProgress>> };
    if (value.v !== CURSOR_VERSION || typeof value.files !== 'object' || value.files === null) return undefined;
    const cursor: FileSourceCursor = new Map();
    for (const [file, progress] of Object.entries(value.files)) {
      if (typeof progress.entries !== 'number' || typeof progress.digest !== 'string') return undefined;
      cursor.set(file, { entries: progress.entries, digest: progress.digest });
    }
    return cursor;
  } catch {
    return undefined;
  }
}

/** A running digest of entry keys, read at any point without ending it. */
export class EntryDigest {
  readonly #hash: Hash = createHash('sha256');

  add(key: string): void {
    this.#hash.update(`${key}\n`);
  }

  value(): string {
    return this.#hash.copy().digest('base64url').slice(0, 22);
  }
}

/** Where to resume in a file whose entries have these keys: after the delivered ones if the file still starts with them. */
export function resumeIndex(keys: readonly string[], progress: FileProgress | undefined): number {
  if (progress === undefined || progress.entries > keys.length) return 0;
  const digest = new EntryDigest();
  for (const key of keys.slice(0, progress.entries)) digest.add(key);
  return digest.value() === progress.digest ? progress.entries : 0;
}
