import { pluginDefiner, type PluginDefinition } from '../plugin.js';

/**
 * The spawner contract: runs one task on one agent and brings back the answer.
 *
 * A spawner never throws for a failed run: it answers with a `SpawnFailure` that says whether a retry may help. (If it
 * throws anyway, the dispatcher treats that as a retryable `internal` failure.) It must honour `signal` and `timeoutMs`,
 * and stop the agent's run when either fires.
 */
export interface Spawner {
  spawn(request: SpawnRequest): Promise<SpawnOutcome>;
  close?(): Promise<void>;
}

export interface SpawnRequest {
  readonly taskId: string;
  readonly attempt: number;
  /**
   * `<taskId>:<attempt>`, or `<taskId>:route` for a routing consultation. The same for every run of the same attempt,
   * including a re-run after a crash, so a spawner whose backend de-duplicates (OpenClaw's `idempotencyKey`) never
   * starts a second run for one attempt, nor asks the orchestrator twice about one task.
   */
  readonly idempotencyKey: string;
  /**
   * What the run is for: the task itself (`task`, when absent), or choosing the task's agent (`route`: the rules'
   * fallback policy asks the orchestrator agent, with attempt 1 and the routing prompt). A spawner that keeps a
   * conversation per task keeps the two apart, so the task's own run never sees the routing exchange.
   */
  readonly purpose?: SpawnPurpose;
  readonly agent: SpawnAgent;
  /** The persona prompt with the task fenced in as data (for `route`: the routing prompt). */
  readonly prompt: string;
  readonly timeoutMs: number;
  /** Aborts on timeout and on shutdown. */
  readonly signal: AbortSignal;
  /** Progress of the run (lifecycle phases, streamed text), forwarded to the dispatcher's listeners. */
  readonly onEvent?: (event: SpawnEvent) => void;
}

export type SpawnPurpose = 'task' | 'route';

export interface SpawnAgent {
  readonly id: string;
  readonly name: string;
  /** The persona's `spawn:` settings from `agents.yaml`, as written; each spawner documents the keys it reads. */
  readonly spawn: Readonly<Record<string, unknown>>;
}

export type SpawnEvent =
  | { readonly type: 'lifecycle'; readonly phase: string; readonly runId?: string }
  | { readonly type: 'delta'; readonly text: string };

export type SpawnOutcome =
  | { readonly ok: true; readonly output: string; readonly runId?: string }
  | { readonly ok: false; readonly error: SpawnFailure };

export type SpawnErrorCode =
  | 'timeout' // the run took longer than timeoutMs
  | 'aborted' // signal aborted (shutdown)
  | 'unavailable' // the backend is down or restarting
  | 'rate_limited' // the backend asked us to slow down
  | 'invalid_request' // the backend refused the request as such: a retry will not help
  | 'agent_error' // the agent ran and failed
  | 'internal'; // anything else

export interface SpawnFailure {
  readonly code: SpawnErrorCode;
  readonly message: string;
  readonly retryable: boolean;
  /** The backend's hint for when to try again. */
  readonly retryAfterMs?: number;
}

export type SpawnerPlugin<Options = unknown> = PluginDefinition<'spawner', Options, Spawner>;

/** Declares a spawner plugin: the default export of a package named in `spawner.use`. */
export const defineSpawner = pluginDefiner<'spawner', Spawner>('spawner');
