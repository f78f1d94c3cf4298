import { createHash } from 'node:crypto';
import type { Logger, WriteBack } from '@kurultai/core';

/** One request a write-back makes: the page's status or agent, or a comment on it. Each is done once, in order. */
export type WriteBackStep =
  | { readonly kind: 'status'; readonly name: string }
  /** The agent property `property`: the name shown on the board for the agent the task is assigned to. */
  | { readonly kind: 'agent'; readonly property: string; readonly name: string }
  /** `marker` ends the comment, so a comment already on the page (posted before a restart) is not posted again. */
  | { readonly kind: 'comment'; readonly text: string; readonly marker: string };

/** What a step's failure means for the write-back. */
export type StepFailure =
  /** The page is gone (trashed or deleted): the write-back can never be done and is dropped with a warning. */
  | { readonly kind: 'page_gone'; readonly reason: string }
  /** Notion did not take it; the write-back is handed back to the caller, whose outbox offers it again. */
  | { readonly kind: 'rejected'; readonly error: unknown };

export interface WriteBackQueueOptions {
  readonly steps: (update: WriteBack) => readonly WriteBackStep[];
  /** Performs one step; the request scheduler inside it retries transient failures. */
  readonly perform: (taskId: string, step: WriteBackStep) => Promise<void>;
  readonly judge: (error: unknown) => StepFailure;
  readonly logger: Logger;
}

/** How many delivered write-backs are remembered to answer a repeat at once; an older repeat is sent again (same status, a second comment). */
const REMEMBERED_DELIVERIES = 10_000;

interface Entry {
  readonly key: string;
  readonly update: WriteBack;
  readonly steps: readonly WriteBackStep[];
  readonly done: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/** What a write-back changes on its page, as a digest: the same change always has the same one, across restarts too. */
export function writeBackDigest(update: WriteBack): string {
  return `${update.kind}:${createHash('sha256').update(changeOf(update)).digest('base64url')}`;
}

/** What a write-back says beyond its kind. */
function changeOf(update: WriteBack): string {
  switch (update.kind) {
    case 'assigned':
      return update.agent;
    case 'in_progress':
      return String(update.attempt);
    case 'completed':
      return update.output;
    case 'failed':
      return update.error;
  }
}

/** Two calls for the same change share one key, so the second neither repeats the status nor posts a second comment. */
function keyOf(update: WriteBack): string {
  return `${update.taskId}:${writeBackDigest(update)}`;
}

/**
 * Write-backs wait here and go out one at a time, in the order they came, so a task's "in progress" always lands before
 * its "done". `add` resolves once Notion has accepted every step; a step retried in vain rejects it (the dispatcher's
 * outbox offers it again later), and a retry resumes after the steps already done, so no comment is posted twice.
 */
export class WriteBackQueue {
  readonly #options: WriteBackQueueOptions;
  readonly #waiting: Entry[] = [];
  readonly #pending = new Map<string, Entry>();
  /** Steps done per key, kept after a rejection so that the offer again resumes where this one stopped. */
  readonly #progress = new Map<string, number>();
  readonly #delivered = new Set<string>();
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(options: WriteBackQueueOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#pending.size;
  }

  add(update: WriteBack): Promise<void> {
    const key = keyOf(update);
    if (this.#delivered.has(key)) return Promise.resolve();
    const pending = this.#pending.get(key);
    if (pending !== undefined) return pending.done;
    if (this.#closed) return Promise.reject(new Error('the Notion source is closed; the write-back stays in the outbox'));
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const entry: Entry = { key, update, steps: this.#options.steps(update), done, resolve, reject };
    this.#pending.set(key, entry);
    this.#waiting.push(entry);
    this.#running ??= this.#drain().finally(() => {
      this.#running = undefined;
    });
    return done;
  }

  /** Refuses new write-backs, hands back those not started, and waits for the one under way. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const entry of this.#waiting.splice(0))
      this.#settle(entry, new Error('the Notion source closed before this write-back was sent'));
    await this.#running;
  }

  async #drain(): Promise<void> {
    for (let entry = this.#waiting.shift(); entry !== undefined; entry = this.#waiting.shift()) {
      this.#settle(entry, await this.#deliver(entry));
    }
  }

  /** Runs an entry's remaining steps; answers the error to reject it with, or undefined when it is settled for good. */
  async #deliver(entry: Entry): Promise<unknown> {
    const { perform, judge, logger } = this.#options;
    for (let step = this.#progress.get(entry.key) ?? 0; step < entry.steps.length; step += 1) {
      const current = entry.steps[step];
      if (current === undefined) break;
      try {
        await perform(entry.update.taskId, current);
        this.#progress.set(entry.key, step + 1);
      } catch (error) {
        const failure = judge(error);
        if (failure.kind === 'rejected') return failure.error;
        logger.warn('dropping a write-back: its Notion page is gone', {
          taskId: entry.update.taskId,
          kind: entry.update.kind,
          reason: failure.reason,
        });
        return undefined;
      }
    }
    return undefined;
  }

  #settle(entry: Entry, error: unknown): void {
    this.#pending.delete(entry.key);
    if (error === undefined) {
      this.#progress.delete(entry.key);
      // A task moved from A to B and back to A owes "A" again; writing an agent twice does no harm, skipping it would.
      if (entry.update.kind !== 'assigned') this.#delivered.add(entry.key);
      if (this.#delivered.size > REMEMBERED_DELIVERIES) {
        const [oldest] = this.#delivered;
        if (oldest !== undefined) this.#delivered.delete(oldest);
      }
      entry.resolve();
    } else {
      entry.reject(error);
    }
  }
}
