import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpawnAgent, SpawnOutcome, SpawnRequest, Spawner } from '../spawner/contract.js';

/** What a spawner plugin hands the spawner conformance suite: the spawner, and three agents its backend runs. */
export interface SpawnerConformanceHarness {
  /** The spawner under test, configured to reach the backend the agents live on. Closed after the suite. */
  createSpawner(): Promise<Spawner>;
  readonly agents: {
    /** Answers every task, quickly. */
    readonly answering: SpawnAgent;
    /** Never answers: the suite stops it with timeouts and aborts. */
    readonly hanging: SpawnAgent;
    /** Runs and fails. */
    readonly failing: SpawnAgent;
  };
  /** The answering agent's answer to `request`: the exact text, or a pattern it matches. */
  answerFor(request: SpawnRequest): string | RegExp;
  /** Whether the failing agent's failure may be retried, as this harness configures the plugin. */
  readonly failingRetryable: boolean;
  /** Whether the backend received `key` as a run's idempotency key (the gateway's run id, a log the agent writes, ...). */
  backendSawIdempotencyKey(key: string, outcome: SpawnOutcome): Promise<boolean>;
  /** The timeout the suite gives hanging runs, in milliseconds. Default 300. */
  readonly timeoutMs?: number;
  /** Stops the backend after the suite. */
  dispose?(): Promise<void>;
}

/** How long past its timeout or abort a run may take to answer before the suite calls the spawner stuck. */
const STOP_WITHIN_MS = 10_000;

let requestCount = 0;

/** A request as the dispatcher makes it; each call gets a task id of its own. */
export function sampleSpawnRequest(agent: SpawnAgent, overrides: Partial<SpawnRequest> = {}): SpawnRequest {
  requestCount += 1;
  const taskId = overrides.taskId ?? `conformance-${process.pid}-${requestCount}`;
  const attempt = overrides.attempt ?? 1;
  return {
    taskId,
    attempt,
    idempotencyKey: `${taskId}:${attempt}`,
    agent,
    prompt: `You are ${agent.name}. Answer the task between the fences.\n<<<task\nSummarise ${taskId}.\n>>>`,
    timeoutMs: 60_000,
    signal: new AbortController().signal,
    ...overrides,
  };
}

/**
 * The spawner conformance suite: every spawner, built-in or third-party, runs it against itself to show that a run answers
 * with its output, that timeouts and aborts end in typed, retryable failures without hanging, that a failed run says
 * whether a retry may help, that the idempotency key reaches the backend, and that runs do not block one another.
 */
export function describeSpawnerConformance(name: string, harness: SpawnerConformanceHarness): void {
  const timeoutMs = harness.timeoutMs ?? 300;

  describe(`spawner conformance: ${name}`, () => {
    let spawner: Spawner;

    beforeAll(async () => {
      spawner = await harness.createSpawner();
    });

    afterAll(async () => {
      await spawner?.close?.();
      await harness.dispose?.();
    });

    it("answers with the agent's output", async () => {
      const request = sampleSpawnRequest(harness.agents.answering);
      const outcome = await spawner.spawn(request);
      expect(outcome).toMatchObject({ ok: true });
      if (outcome.ok) expect(outcome.output).toMatch(harness.answerFor(request));
    });

    it('hands the idempotency key to the backend', async () => {
      const request = sampleSpawnRequest(harness.agents.answering, { taskId: `key-${process.pid}-${Date.now()}`, attempt: 3 });
      const outcome = await spawner.spawn(request);
      expect(outcome.ok).toBe(true);
      expect(await harness.backendSawIdempotencyKey(request.idempotencyKey, outcome)).toBe(true);
    });

    it('ends a run that outlasts its timeout as a retryable timeout, promptly', async () => {
      const started = Date.now();
      const outcome = await spawner.spawn(sampleSpawnRequest(harness.agents.hanging, { timeoutMs }));
      expect(outcome).toEqual({ ok: false, error: expect.objectContaining({ code: 'timeout', retryable: true }) });
      expect(Date.now() - started).toBeLessThan(timeoutMs + STOP_WITHIN_MS);
    });

    it('ends a run whose signal aborts as a retryable abort, promptly', async () => {
      const controller = new AbortController();
      const started = Date.now();
      const running = spawner.spawn(sampleSpawnRequest(harness.agents.hanging, { signal: controller.signal }));
      setTimeout(() => controller.abort(new Error('shutting down')), timeoutMs);
      const outcome = await running;
      expect(outcome).toEqual({ ok: false, error: expect.objectContaining({ code: 'aborted', retryable: true }) });
      expect(Date.now() - started).toBeLessThan(timeoutMs + STOP_WITHIN_MS);
    });

    it('answers a request whose signal has already aborted with a retryable abort', async () => {
      const outcome = await spawner.spawn(sampleSpawnRequest(harness.agents.answering, { signal: AbortSignal.abort() }));
      expect(outcome).toEqual({ ok: false, error: expect.objectContaining({ code: 'aborted', retryable: true }) });
    });

    it('reports a failed run as a typed failure with a message and the configured retryability', async () => {
      const outcome = await spawner.spawn(sampleSpawnRequest(harness.agents.failing));
      expect(outcome).toEqual({
        ok: false,
        error: expect.objectContaining({ message: expect.stringMatching(/\S/), retryable: harness.failingRetryable }),
      });
      if (!outcome.ok) expect(['timeout', 'aborted']).not.toContain(outcome.error.code);
    });

    it('runs several requests at once, each answered with its own output', async () => {
      const requests = Array.from({ length: 6 }, () => sampleSpawnRequest(harness.agents.answering));
      const outcomes = await Promise.all(requests.map((request) => spawner.spawn(request)));
      outcomes.forEach((outcome, index) => {
        const request = requests[index] as SpawnRequest;
        expect(outcome.ok).toBe(true);
        if (outcome.ok) expect(outcome.output).toMatch(harness.answerFor(request));
      });
    });

    it('answers other runs while one hangs', async () => {
      const controller = new AbortController();
      const hanging = spawner.spawn(sampleSpawnRequest(harness.agents.hanging, { signal: controller.signal }));
      const answered = await spawner.spawn(sampleSpawnRequest(harness.agents.answering));
      expect(answered.ok).toBe(true);
      expect(await Promise.race([hanging.then(() => 'hanging ended'), Promise.resolve('still hanging')])).toBe('still hanging');
      controller.abort();
      expect(await hanging).toMatchObject({ ok: false, error: { code: 'aborted' } });
    });
  });
}
