import { pluginDefiner, type PluginDefinition } from '../plugin.js';
import type { TaskInput } from '../task.js';

/**
 * The source contract: where tasks come from, and where their statuses are written back.
 *
 * A source reads like an Airbyte source: an async generator of batches, each carrying a cursor that the dispatcher stores in
 * the sink once the batch's tasks are recorded. On restart the dispatcher passes the stored cursor back, so reading resumes
 * where it stopped. A source may deliver a task again (an overlap window, a restart before the cursor was saved): the sink
 * ignores ids it already has, so re-delivery is harmless.
 */
export interface Source {
  /** The instance's name; written into each task's `source` field. */
  readonly name: string;

  /**
   * Yields batches of tasks. With `follow: false` it ends once it has delivered what the source holds now; with
   * `follow: true` it keeps watching (polling, a file watcher, a webhook) until `signal` aborts, and then returns.
   * Each batch's `cursor` is opaque to Kurultai (any string the source can resume from); it may repeat or be empty.
   */
  read(options: SourceReadOptions): AsyncIterable<SourceBatch>;

  /**
   * Writes a status change back to where the task lives (a Notion page's status and a comment). It resolves once the
   * change is durably accepted by the source; it rejects when it could not be, and the dispatcher will offer it again.
   * It must tolerate being called twice for the same change.
   */
  writeBack(update: WriteBack): Promise<void>;

  /** Stops watching and frees resources. Called once, at shutdown. */
  close?(): Promise<void>;
}

export interface SourceReadOptions {
  /** The cursor of the last batch the sink stored, or undefined on the first run. */
  readonly cursor: string | undefined;
  readonly follow: boolean;
  readonly signal: AbortSignal;
}

export interface SourceBatch {
  readonly tasks: readonly TaskInput[];
  readonly cursor: string;
}

/**
 * A change the source is told about: the agent a task was assigned to (when it is recorded, and again whenever a
 * correction moves it), and its status from then on. Kurultai never writes back `pending` or `retrying`.
 */
export type WriteBack =
  | {
      readonly kind: 'assigned';
      readonly taskId: string;
      readonly agent: string;
      /** The agent's display name (Temüjin) in the council in force when the write-back is delivered; its id if gone. */
      readonly agentName: string;
    }
  | { readonly kind: 'in_progress'; readonly taskId: string; readonly agent: string; readonly attempt: number }
  | { readonly kind: 'completed'; readonly taskId: string; readonly agent: string; readonly output: string }
  | { readonly kind: 'failed'; readonly taskId: string; readonly agent: string; readonly error: string };

export type SourcePlugin<Options = unknown> = PluginDefinition<'source', Options, Source>;

/** Declares a source plugin: the default export of a package named in `source.use`. */
export const defineSource = pluginDefiner<'source', Source>('source');
