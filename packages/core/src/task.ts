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
  /**
   * The agent a person chose for the task where it lives (a Notion page's agent property), if any. A new task goes to
   * that agent instead of the router's choice; a task already recorded whose assignee names another agent than its own
   * is reassigned to it (`Sink.reassign`). Either way the ledger records a correction to learn from. A name that is no
   * agent of the council is ignored with a warning naming the task.
   */
  readonly assignee?: TaskAssignee;
}

/** A person's choice of agent, as a source reports it. */
export interface TaskAssignee {
  /** The agent's id or display name ("jochi", "Jochi"), as the person wrote or picked it; case and accents do not matter. */
  readonly agent: string;
  /** Who chose: a person's name, or the source's id of the user who last edited the task. The source's name when absent. */
  readonly by?: string;
}

/**
 * Where a task stands. `retrying` is a task waiting for its next attempt after an error a retry may help, or after its
 * worker's lease expired.
 */
export type TaskStatus = 'pending' | 'assigned' | 'in_progress' | 'retrying' | 'completed' | 'failed';

export const TASK_STATUSES: readonly TaskStatus[] = ['pending', 'assigned', 'in_progress', 'retrying', 'completed', 'failed'];
