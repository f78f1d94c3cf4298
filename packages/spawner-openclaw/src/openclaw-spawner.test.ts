import type { SpawnAgent, SpawnEvent, SpawnRequest } from '@kurultai/core';
import { describeSpawnerConformance, sampleSpawnRequest, waitFor } from '@kurultai/core/testing';
import type { GatewayClient } from '@openclaw/gateway-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenClawSpawner, type OpenClawSpawner } from './index.js';
import { connectBareGatewayClient, fakeAnswerFor, startOpenClawTestBed, type FakeModelCall, type OpenClawTestBed } from './testing/index.js';

// One real gateway for this file (it takes 10-25 s to start on 2 cores); every test uses tasks of its own. Runs that the
// tests make hang, time out or fail go to agents of their own (sleeper, breaker, throttled), away from the answering ones.
let bed: OpenClawTestBed;
let observer: GatewayClient;
const logged: string[] = [];

beforeAll(async () => {
  bed = await startOpenClawTestBed({
    agentIds: ['scout', 'scribe', 'judge', 'sleeper', 'breaker', 'throttled'],
    maxConcurrent: 8,
    modelRetries: { throttled: 1 },
  });
  observer = await connectBareGatewayClient(bed.gateway);
}, 120_000);

// When a test fails, the gateway's own account of it is the first thing to read.
afterEach(({ task }) => {
  if (task.result?.state === 'fail') console.error(`--- OpenClaw gateway output (tail) ---\n${bed?.gateway.logTail()}`);
});

afterAll(async () => {
  observer?.stop();
  await bed?.stop();
});

function newSpawner(options: { capacity?: number } = {}): OpenClawSpawner {
  const record = (level: string) => (message: string, fields?: Readonly<Record<string, unknown>>) => {
    logged.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  };
  return createOpenClawSpawner(
    { gatewayUrl: bed.gateway.url, capacity: options.capacity ?? 8, reconnect: { initialDelayMs: 100, maxDelayMs: 1000 } },
    { env: bed.env, logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') } },
  );
}

/** A persona whose prompt programs the fake model (see the fake's directives) and runs on the OpenClaw agent `agentId`. */
function persona(id: string, agentId: string, directives = ''): SpawnAgent {
  return { id, name: `${id} ${directives}`.trim(), spawn: { agentId } };
}

function callsFor(request: SpawnRequest): FakeModelCall[] {
  return bed.model.calls.filter((call) => call.taskText.includes(request.taskId));
}

describeSpawnerConformance('openclaw', {
  createSpawner: async () => newSpawner(),
  agents: {
    answering: { id: 'scout', name: 'Scout', spawn: {} },
    hanging: persona('hanging', 'sleeper', '[[fake:delay=3600000]]'),
    failing: persona('failing', 'breaker', '[[fake:fail=400]]'),
  },
  answerFor: (request) => fakeAnswerFor(request.prompt),
  failingRetryable: false,
  // Asked of the gateway itself: it knows a run under the key exactly when the key reached it as an idempotency key.
  backendSawIdempotencyKey: async (key) => {
    const answer = await observer.request<{ status: string }>('agent.wait', { runId: key, timeoutMs: 1000 });
    return answer.status === 'ok';
  },
  timeoutMs: 1500,
});

describe('the OpenClaw spawner through a real gateway', () => {
  let spawner: OpenClawSpawner;

  beforeAll(() => {
    spawner = newSpawner();
  });

  afterAll(async () => {
    await spawner?.close();
  });

  it("answers with the fake model's answer and forwards the run's lifecycle and streamed text", async () => {
    const events: SpawnEvent[] = [];
    const request = sampleSpawnRequest(persona('reporter', 'scout'), { onEvent: (event) => events.push(event) });
    const outcome = await spawner.spawn(request);
    expect(outcome).toEqual({ ok: true, output: fakeAnswerFor(request.prompt), runId: request.idempotencyKey });
    const phases = events.flatMap((event) => (event.type === 'lifecycle' ? [event.phase] : []));
    expect(phases).toEqual(expect.arrayContaining(['accepted', 'start', 'end']));
    const streamed = events.flatMap((event) => (event.type === 'delta' ? [event.text] : [])).join('');
    expect(fakeAnswerFor(request.prompt).startsWith(streamed.slice(0, 20))).toBe(true);
  });

  it('runs the OpenClaw agent named by spawn.agentId, in a session of its own for the task', async () => {
    const request = sampleSpawnRequest(persona('writer', 'scribe'));
    expect(await spawner.spawn(request)).toMatchObject({ ok: true });
    const history = await observer.request<{ sessionInfo: { agentId: string; lastRunId: string } }>('chat.history', {
      sessionKey: `agent:scribe:kurultai:${request.taskId}`,
      limit: 1,
    });
    expect(history.sessionInfo).toMatchObject({ agentId: 'scribe', lastRunId: request.idempotencyKey });
  });

  it("aborts the run on the gateway when its timeout passes, so the model's request is cancelled", async () => {
    // Long enough for a loaded gateway to reach the model (a turn's set-up alone has taken 8 s here), far below the delay.
    const request = sampleSpawnRequest(persona('slow', 'sleeper', '[[fake:delay=60000]]'), { timeoutMs: 20_000 });
    const outcome = await spawner.spawn(request);
    expect(outcome).toEqual({ ok: false, error: expect.objectContaining({ code: 'timeout', retryable: true }) });
    await waitFor('the model request to be cancelled', async () => callsFor(request).some((call) => call.answered === 'cancelled'));
  });

  it('aborts the run on the gateway when the signal aborts mid-run', async () => {
    const controller = new AbortController();
    const request = sampleSpawnRequest(persona('slow', 'sleeper', '[[fake:delay=60000]]'), { signal: controller.signal });
    const running = spawner.spawn(request);
    await waitFor('the model to be called', async () => callsFor(request).length > 0, 30_000);
    controller.abort(new Error('shutting down'));
    expect(await running).toEqual({ ok: false, error: expect.objectContaining({ code: 'aborted', retryable: true }) });
    const run = await observer.request<{ status: string }>('agent.wait', { runId: request.idempotencyKey, timeoutMs: 10_000 });
    expect(run.status).toBe('error');
    expect(callsFor(request).map((call) => call.answered)).toEqual(['cancelled']);
  });

  it('runs two agents in parallel', async () => {
    // The fake answers neither model call until both are held at once: run one after the other, they would fail.
    const first = sampleSpawnRequest(persona('left', 'scout', '[[fake:together=2]]'));
    const second = sampleSpawnRequest(persona('right', 'scribe', '[[fake:together=2]]'));
    const outcomes = await Promise.all([spawner.spawn(first), spawner.spawn(second)]);
    expect(outcomes).toEqual([
      { ok: true, output: fakeAnswerFor(first.prompt), runId: first.idempotencyKey },
      { ok: true, output: fakeAnswerFor(second.prompt), runId: second.idempotencyKey },
    ]);
  });

  it('joins the run in flight when the same idempotency key is sent again, instead of running it twice', async () => {
    const request = sampleSpawnRequest(persona('steady', 'judge', '[[fake:delay=2000]]'));
    const first = spawner.spawn(request);
    await waitFor('the model to be called', async () => callsFor(request).length > 0, 30_000);
    // A second spawner stands for the dispatcher restarted after a crash, sending the attempt again.
    const restarted = newSpawner();
    const retried = await restarted.spawn(request);
    await restarted.close();
    expect(retried).toEqual(await first);
    expect(retried).toMatchObject({ ok: true, output: fakeAnswerFor(request.prompt) });
    expect(callsFor(request)).toHaveLength(1);
  });

  it('answers a settled attempt sent again with its cached result, without running it again', async () => {
    const request = sampleSpawnRequest(persona('steady', 'scout'));
    const first = await spawner.spawn(request);
    expect(await spawner.spawn(request)).toEqual(first);
    expect(callsFor(request)).toHaveLength(1);
  });

  it('queues spawns beyond its capacity rather than overrunning the gateway', async () => {
    const single = newSpawner({ capacity: 1 });
    const events: SpawnEvent[] = [];
    const first = sampleSpawnRequest(persona('one', 'scout', '[[fake:delay=1000]]'));
    const second = sampleSpawnRequest(persona('two', 'scribe', '[[fake:delay=1000]]'), { onEvent: (event) => events.push(event) });
    const outcomes = await Promise.all([single.spawn(first), single.spawn(second)]);
    await single.close();
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true]);
    expect(events[0]).toEqual({ type: 'lifecycle', phase: 'queued' });
    expect(callsFor(first)[0]!.answeredAt).toBeLessThanOrEqual(callsFor(second)[0]!.receivedAt);
  });

  it("reports a provider's rate limit that outlasts the gateway's own retries as rate_limited, with the provider's Retry-After", async () => {
    const request = sampleSpawnRequest(persona('hasty', 'throttled', '[[fake:fail=429]] [[fake:retry-after=1]]'));
    const outcome = await spawner.spawn(request);
    expect(outcome).toEqual({ ok: false, error: expect.objectContaining({ code: 'rate_limited', retryable: true, retryAfterMs: 1000 }) });
    // The gateway retried the model once by itself (the agent's retry budget here) before it gave the rate limit up.
    expect(callsFor(request).map((call) => call.answered)).toEqual(['failure', 'failure']);
  });

  it('reports an OpenClaw agent the gateway does not know as an invalid request a retry will not help', async () => {
    const outcome = await spawner.spawn(sampleSpawnRequest(persona('lost', 'ghost')));
    expect(outcome).toEqual({ ok: false, error: expect.objectContaining({ code: 'invalid_request', retryable: false }) });
    if (!outcome.ok) expect(outcome.error.message).toContain('ghost');
  });

  it('refuses a spawn.agentId that is not an agent id, naming the task and the persona', async () => {
    const request = sampleSpawnRequest({ id: 'odd', name: 'Odd', spawn: { agentId: 42 } });
    const outcome = await spawner.spawn(request);
    expect(outcome).toEqual({ ok: false, error: expect.objectContaining({ code: 'invalid_request', retryable: false }) });
    if (!outcome.ok) expect(outcome.error.message).toContain(`task ${request.taskId}: agent odd`);
  });

  it('never writes the gateway token into its logs', () => {
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.join('\n')).not.toContain(bed.gateway.token);
  });
});
