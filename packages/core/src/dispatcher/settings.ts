import { z } from 'zod';

/**
 * How the dispatcher runs, as written under `dispatcher:` in `kurultai.config.yaml` (times in seconds, as people write
 * them). Every field has a default, so an empty section, or no config file at all, is a working set-up.
 */
export const dispatcherSettingsSchema = z
  .strictObject({
    /** Tasks running at once in this worker, across all agents (`KURULTAI_MAX_CONCURRENT_TASKS`). */
    maxConcurrentTasks: z.int().min(1).default(3),
    /** A run taking longer is aborted through the spawner (`KURULTAI_TASK_TIMEOUT_SECONDS`). */
    taskTimeoutSeconds: z.number().positive().default(300),
    /**
     * False routes and records tasks without running them: a review mode (`KURULTAI_AUTO_EXECUTE_TASKS`). Routing
     * includes the rules' fallback policy, so the orchestrator agent is still asked about unsure tasks.
     */
    autoExecute: z.boolean().default(true),
    retries: z
      .strictObject({
        /** Attempts in all, the first included; a retryable failure on the last one is final. */
        maxAttempts: z.int().min(1).default(3),
        /** The wait before attempt 2; it doubles for each later attempt, up to `maxDelaySeconds`, with full jitter. */
        baseDelaySeconds: z.number().nonnegative().default(2),
        maxDelaySeconds: z.number().nonnegative().default(300),
      })
      .prefault({}),
    /** How long a claim holds a task without renewal; a worker that dies loses its tasks after this (`KURULTAI_LEASE_SECONDS`). */
    leaseSeconds: z.number().positive().default(30),
    /** On SIGTERM, running tasks get this long to finish before they are released to other workers. */
    drainGraceSeconds: z.number().nonnegative().default(30),
    /** How often the dispatcher looks for runnable tasks when nothing woke it (retries coming due, other writers). */
    pollSeconds: z.number().positive().default(1),
  })
  .prefault({});

export type DispatcherSettings = z.output<typeof dispatcherSettingsSchema>;

/** The environment variables that override `dispatcher:` settings, and the field each one sets. */
const ENV_OVERRIDES = {
  KURULTAI_MAX_CONCURRENT_TASKS: 'maxConcurrentTasks',
  KURULTAI_TASK_TIMEOUT_SECONDS: 'taskTimeoutSeconds',
  KURULTAI_AUTO_EXECUTE_TASKS: 'autoExecute',
  KURULTAI_LEASE_SECONDS: 'leaseSeconds',
  KURULTAI_DRAIN_GRACE_SECONDS: 'drainGraceSeconds',
  KURULTAI_MAX_ATTEMPTS: 'maxAttempts',
} as const;

export type DispatcherEnvVariable = keyof typeof ENV_OVERRIDES;

/**
 * Reads the dispatcher's environment overrides as a partial `dispatcher:` section, ready to be merged over the file's one
 * and validated by the same schema. Values are converted to the type of their field and left to the schema to judge,
 * so `KURULTAI_MAX_CONCURRENT_TASKS=zero` is reported against its variable, not silently ignored.
 */
export function dispatcherEnvOverrides(env: Readonly<Record<string, string | undefined>>): {
  readonly overrides: Record<string, unknown>;
  readonly origins: ReadonlyMap<string, DispatcherEnvVariable>;
} {
  const overrides: Record<string, unknown> = {};
  const origins = new Map<string, DispatcherEnvVariable>();
  for (const [variable, field] of Object.entries(ENV_OVERRIDES) as [DispatcherEnvVariable, string][]) {
    const raw = env[variable];
    if (raw === undefined || raw.trim() === '') continue;
    const value = field === 'autoExecute' ? parseBoolean(raw) : Number(raw.trim());
    if (field === 'maxAttempts') {
      overrides.retries = { maxAttempts: value };
      origins.set('retries.maxAttempts', variable);
    } else {
      overrides[field] = value;
      origins.set(field, variable);
    }
  }
  return { overrides, origins };
}

function parseBoolean(raw: string): boolean | string {
  const lowered = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(lowered)) return true;
  if (['false', '0', 'no', 'off'].includes(lowered)) return false;
  return raw;
}
