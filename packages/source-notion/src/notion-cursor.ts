import type { Logger } from '@kurultai/core';

/**
 * What identifies one version of a page for de-duplication: Notion's (minute-rounded) edit time, its status, and the
 * agent its agent property names (when one is mapped), so a person changing the agent within the minute of the last
 * read is read again.
 */
export interface PageVersion {
  readonly pageId: string;
  readonly lastEditedTime: string;
  readonly status: string | undefined;
  readonly agent?: string | undefined;
}

interface StoredCursor {
  readonly v: 1;
  /** The newest `last_edited_time` read so far. */
  readonly since?: string;
  /** Page id to `<last_edited_time>|<status>[|<agent>]`, for the pages read within the overlap window before `since`. */
  readonly seen: Readonly<Record<string, string>>;
}

function versionKey(version: PageVersion): string {
  const key = `${version.lastEditedTime}|${version.status ?? ''}`;
  // Without an agent the key is what it was before the agent was read, so stored cursors stay valid.
  return version.agent === undefined ? key : `${key}|${version.agent}`;
}

function isStoredCursor(value: unknown): value is StoredCursor {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  const seen = record['seen'];
  return (
    record['v'] === 1 &&
    (record['since'] === undefined || typeof record['since'] === 'string') &&
    typeof seen === 'object' &&
    seen !== null &&
    Object.values(seen).every((key) => typeof key === 'string')
  );
}

/**
 * Where reading stands, kept in the sink as the batches' cursor (JSON in a string): the watermark on `last_edited_time`
 * and the page versions already read near it. Notion rounds `last_edited_time` down to the minute, so each poll reads again
 * from `overlapMs` before the watermark, and the versions seen there are not delivered twice.
 */
export class SyncState {
  #since: string | undefined;
  readonly #seen: Map<string, string>;

  private constructor(since: string | undefined, seen: Iterable<[string, string]>) {
    this.#since = since;
    this.#seen = new Map(seen);
  }

  /** Resumes from a stored cursor. One that cannot be read starts over, which re-delivers tasks the sink already has. */
  static resume(cursor: string | undefined, logger: Logger): SyncState {
    if (cursor === undefined || cursor === '') return new SyncState(undefined, []);
    try {
      const stored: unknown = JSON.parse(cursor);
      if (isStoredCursor(stored)) return new SyncState(stored.since, Object.entries(stored.seen));
    } catch {
      // Falls through to starting over.
    }
    logger.warn('the stored Notion cursor cannot be read; reading the database from the start', { cursorLength: cursor.length });
    return new SyncState(undefined, []);
  }

  /** The time a poll reads from, or undefined before anything was read (a full read). */
  readFrom(overlapMs: number): string | undefined {
    return this.#since === undefined ? undefined : new Date(Date.parse(this.#since) - overlapMs).toISOString();
  }

  /** Records a page version; answers whether it is new (never read before in this form). */
  observe(version: PageVersion): boolean {
    const key = versionKey(version);
    if (this.#seen.get(version.pageId) === key) return false;
    this.#seen.set(version.pageId, key);
    if (this.#since === undefined || Date.parse(version.lastEditedTime) > Date.parse(this.#since))
      this.#since = version.lastEditedTime;
    return true;
  }

  /** Forgets versions older than the overlap window: no poll reads them again. */
  prune(overlapMs: number): void {
    const from = this.readFrom(overlapMs);
    if (from === undefined) return;
    const limit = Date.parse(from);
    for (const [pageId, key] of this.#seen) {
      if (Date.parse(key.slice(0, key.indexOf('|'))) < limit) this.#seen.delete(pageId);
    }
  }

  serialize(): string {
    const stored: StoredCursor = {
      v: 1,
      ...(this.#since === undefined ? {} : { since: this.#since }),
      seen: Object.fromEntries(this.#seen),
    };
    return JSON.stringify(stored);
  }
}
