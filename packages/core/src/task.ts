/** How urgent a task is. Sources map their own values onto these four. */
export type Priority = 'critical' | 'high' | 'normal' | 'low';

export const PRIORITIES: readonly Priority[] = ['critical', 'high', 'normal', 'low'];

/**
 * A task as a source delivers it. Everything here except `id` and `source` is untrusted text written by whoever can edit
 * the task where it lives (a Notion page, a file): it is routed on, and shown to agents only as fenced data.
 */
export interface TaskInput {
  /** Stable across reads: the same task always carries the same id (a Notion page id, a file's task id). */
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly priority?: Priority;
  readonly tags?: readonly string[];
  /** The name of the source plugin instance that delivered the task. */
  readonly source: string;
  /** The source's own fields, for `when` conditions under `properties.<name>`. JSON values only. */
  readonly properties?: Readonly<Record<string, unknown>>;
}

/**
 * Where a task stands. `retrying` is a task waiting for its next attempt after an error a retry may help, or after its
 * worker's lease expired.
 */
export type TaskStatus = 'pending' | 'assigned' | 'in_progress' | 'retrying' | 'completed' | 'failed';

export const TASK_STATUSES: readonly TaskStatus[] = ['pending', 'assigned', 'in_progress', 'retrying', 'completed', 'failed'];
