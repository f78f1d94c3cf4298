import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineSpawner, type SpawnOutcome, type SpawnRequest, type Spawner } from './contract.js';
import { startSpawnDeadline } from './spawn-deadline.js';

/** The `echo` spawner's options (`spawner.with` in `kurultai.config.yaml`). */
export const echoSpawnerOptions = z.strictObject({
  delayMs: z.number().int().min(0).default(0).describe('How long every run takes before it answers.'),
  reply: z
    .string()
    .default('{agentName} handled {taskId} (attempt {attempt})')
    .describe('The answer. Placeholders: {agentId}, {agentName}, {taskId}, {attempt}, {idempotencyKey}.'),
});

export type EchoSpawnerOptions = z.output<typeof echoSpawnerOptions>;

/** The keys the echo spawner reads from an agent's `spawn:` settings, each overriding the spawner's options for that agent. */
const echoAgentSettings = z.object({
  delayMs: z.number().int().min(0).optional(),
  /** Makes this agent's runs fail with this message: a way to demo retries and failures. */
  fail: z.string().optional(),
  /** With `fail`: only attempts up to this number fail, later ones answer (a flaky agent). Default: every attempt. */
  failAttempts: z.number().int().min(1).optional(),
  /** Whether the `fail` failure may be retried. Default true. */
  retryable: z.boolean().optional(),
});

const PLACEHOLDER = /\{(agentId|agentName|taskId|attempt|idempotencyKey)\}/g;

function fillReply(template: string, request: SpawnRequest): string {
  const values = {
    agentId: request.agent.id,
    agentName: request.agent.name,
    taskId: request.taskId,
    attempt: String(request.attempt),
    idempotencyKey: request.idempotencyKey,
  };
  return template.replace(PLACEHOLDER, (_, key: keyof typeof values) => values[key]);
}

/**
 * A spawner with no backend: it answers at once (or after `delayMs`) without running anything, for demos and benchmarks.
 * Its run id is the idempotency key, as a backend that de-duplicates runs would make it.
 */
export function createEchoSpawner(options: EchoSpawnerOptions): Spawner {
  return {
    async spawn(request: SpawnRequest): Promise<SpawnOutcome> {
      const parsed = echoAgentSettings.safeParse(request.agent.spawn);
      if (!parsed.success) {
        const message = `agent ${request.agent.id} has spawn settings the echo spawner cannot read: ${parsed.error.message}`;
        return { ok: false, error: { code: 'invalid_request', message, retryable: false } };
      }
      const settings = parsed.data;
      const delayMs = settings.delayMs ?? options.delayMs;
      const deadline = startSpawnDeadline(request);
      try {
        if (delayMs > 0 && !deadline.signal.aborted)
          await sleep(delayMs, undefined, { signal: deadline.signal }).catch(() => undefined);
        const ended = deadline.failure();
        if (ended !== undefined) return { ok: false, error: ended };
        if (settings.fail !== undefined && request.attempt <= (settings.failAttempts ?? Infinity)) {
          return { ok: false, error: { code: 'agent_error', message: settings.fail, retryable: settings.retryable ?? true } };
        }
        request.onEvent?.({ type: 'lifecycle', phase: 'end', runId: request.idempotencyKey });
        return { ok: true, output: fillReply(options.reply, request), runId: request.idempotencyKey };
      } finally {
        deadline.dispose();
      }
    },
  };
}

/** The built-in `echo` spawner. */
export const echoSpawner = defineSpawner({
  name: 'echo',
  options: echoSpawnerOptions,
  create: (options) => createEchoSpawner(options),
});
