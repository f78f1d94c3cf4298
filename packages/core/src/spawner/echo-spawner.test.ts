import { describe, expect, it } from 'vitest';
import { describeSpawnerConformance, sampleSpawnRequest } from '../testing/index.js';
import { createEchoSpawner } from './echo-spawner.js';

const answering = { id: 'echo-a', name: 'Echo A', spawn: {} };

describeSpawnerConformance('echo', {
  createSpawner: async () => createEchoSpawner({ delayMs: 0, reply: '{agentName} handled {taskId} (attempt {attempt})' }),
  agents: {
    answering,
    hanging: { id: 'echo-h', name: 'Echo H', spawn: { delayMs: 3_600_000 } },
    failing: { id: 'echo-f', name: 'Echo F', spawn: { fail: 'the agent gave up', retryable: false } },
  },
  answerFor: (request) => `Echo A handled ${request.taskId} (attempt ${request.attempt})`,
  failingRetryable: false,
  backendSawIdempotencyKey: async (key, outcome) => outcome.ok && outcome.runId === key,
});

describe('echo spawner', () => {
  it('answers only once its delay has passed', async () => {
    const spawner = createEchoSpawner({ delayMs: 150, reply: 'ok' });
    const started = performance.now();
    expect(await spawner.spawn(sampleSpawnRequest(answering))).toMatchObject({ ok: true, output: 'ok' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("lets an agent's delayMs override the spawner's", async () => {
    const spawner = createEchoSpawner({ delayMs: 3_600_000, reply: 'ok' });
    const outcome = await spawner.spawn(sampleSpawnRequest({ ...answering, spawn: { delayMs: 0 } }));
    expect(outcome).toMatchObject({ ok: true, output: 'ok' });
  });

  it('fails only the attempts up to failAttempts, so a retry of a flaky agent answers', async () => {
    const spawner = createEchoSpawner({ delayMs: 0, reply: 'ok' });
    const flaky = { ...answering, spawn: { fail: 'flaked', failAttempts: 2 } };
    const outcomes = await Promise.all([1, 2, 3].map((attempt) => spawner.spawn(sampleSpawnRequest(flaky, { attempt }))));
    expect(outcomes.map((outcome) => (outcome.ok ? outcome.output : outcome.error.message))).toEqual(['flaked', 'flaked', 'ok']);
  });

  it('fills every placeholder of its reply', async () => {
    const spawner = createEchoSpawner({ delayMs: 0, reply: '{agentId}|{agentName}|{taskId}|{attempt}|{idempotencyKey}|{other}' });
    const outcome = await spawner.spawn(sampleSpawnRequest(answering, { taskId: 'T-1', attempt: 2, idempotencyKey: 'T-1:2' }));
    expect(outcome).toEqual({ ok: true, output: 'echo-a|Echo A|T-1|2|T-1:2|{other}', runId: 'T-1:2' });
  });

  it('refuses spawn settings it cannot read as an invalid request a retry will not help', async () => {
    const spawner = createEchoSpawner({ delayMs: 0, reply: 'ok' });
    const outcome = await spawner.spawn(sampleSpawnRequest({ ...answering, spawn: { delayMs: 'soon' } }));
    expect(outcome).toMatchObject({ ok: false, error: { code: 'invalid_request', retryable: false } });
    if (!outcome.ok) expect(outcome.error.message).toContain('agent echo-a');
  });
});
