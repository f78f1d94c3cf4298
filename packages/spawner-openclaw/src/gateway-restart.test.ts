import type { SpawnRequest } from '@kurultai/core';
import { sampleSpawnRequest, waitFor } from '@kurultai/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenClawSpawner, type OpenClawSpawner } from './index.js';
import { startOpenClawTestBed, type OpenClawTestBed } from './testing/index.js';

// A gateway of its own: these tests kill it.
let bed: OpenClawTestBed;
let spawner: OpenClawSpawner;

beforeAll(async () => {
  bed = await startOpenClawTestBed({ agentIds: ['scout', 'scribe'] });
  spawner = createOpenClawSpawner({ gatewayUrl: bed.gateway.url, reconnect: { initialDelayMs: 200, maxDelayMs: 1000 } }, { env: bed.env });
}, 120_000);

// When a test fails, the gateway's own account of it is the first thing to read.
afterEach(({ task }) => {
  if (task.result?.state === 'fail') console.error(`--- OpenClaw gateway output (tail) ---\n${bed?.gateway.logTail()}`);
});

afterAll(async () => {
  await spawner?.close();
  await bed?.stop();
});

function modelCallsFor(request: SpawnRequest): number {
  return bed.model.callsMentioning(request.taskId);
}

describe('the OpenClaw spawner when the gateway goes away', () => {
  it('takes the answer of a run the gateway recovers after being killed mid-run, and a retry of the attempt runs nothing more', async () => {
    const request = sampleSpawnRequest({ id: 'crash', name: 'Crash [[fake:delay=4000]]', spawn: { agentId: 'scout' } }, { timeoutMs: 240_000 });
    const running = spawner.spawn(request);
    await waitFor('the model to be called', async () => modelCallsFor(request) > 0, 60_000);
    await bed.gateway.kill();
    await bed.gateway.restart();
    const outcome = await running;
    expect(outcome).toMatchObject({ ok: true, output: expect.stringContaining(`Summarise ${request.taskId}.`) });
    const callsAfterRun = modelCallsFor(request);
    expect(await spawner.spawn(request)).toEqual(outcome);
    expect(modelCallsFor(request)).toBe(callsAfterRun);
  }, 300_000);

  it('stops the turn the gateway resumed under its own run id after a crash when the request aborts', async () => {
    // A slow reconnect lets the gateway's restart recovery resume the turn before the attempt's key comes back; sent
    // sooner, the key would start a run of its own and the recovery would find the session taken.
    const connected: string[] = [];
    const note = (message: string) => connected.push(message);
    const patient = createOpenClawSpawner(
      { gatewayUrl: bed.gateway.url, reconnect: { initialDelayMs: 20_000, maxDelayMs: 20_000 } },
      { env: bed.env, logger: { debug: () => undefined, info: note, warn: () => undefined, error: () => undefined } },
    );
    const controller = new AbortController();
    const request = sampleSpawnRequest({ id: 'resumed', name: 'Resumed [[fake:delay=600000]]', spawn: { agentId: 'scribe' } }, { timeoutMs: 300_000, signal: controller.signal });
    const running = patient.spawn(request);
    await waitFor('the model to be called', async () => modelCallsFor(request) > 0, 60_000);
    await bed.gateway.kill();
    await bed.gateway.restart();
    await waitFor('the gateway to resume the turn', async () => modelCallsFor(request) > 1, 120_000);
    await waitFor('the spawner to be back on the gateway', async () => connected.length > 1, 120_000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    controller.abort(new Error('shutting down'));
    expect(await running).toEqual({ ok: false, error: expect.objectContaining({ code: 'aborted', retryable: true }) });
    await patient.close();
    const resumedCall = () => bed.model.calls.filter((call) => call.taskText.includes(request.taskId)).at(-1);
    await waitFor("the resumed turn's model call to be cancelled", async () => resumedCall()?.answered === 'cancelled', 30_000);
  }, 300_000);

  // This test and the next share one outage: the gateway stays down here, and the next test brings it back.
  it('ends a task whose gateway stays down past its timeout as a retryable timeout', async () => {
    await bed.gateway.kill();
    const outcome = await spawner.spawn(sampleSpawnRequest({ id: 'waiting', name: 'Waiting', spawn: { agentId: 'scout' } }, { timeoutMs: 1500 }));
    expect(outcome).toEqual({ ok: false, error: expect.objectContaining({ code: 'timeout', retryable: true }) });
  }, 60_000);

  it('runs a task spawned while the gateway is down once the gateway is back', async () => {
    await bed.gateway.kill(); // already down after the previous test, unless it ran alone
    const request = sampleSpawnRequest({ id: 'patient', name: 'Patient', spawn: { agentId: 'scribe' } }, { timeoutMs: 240_000 });
    const running = spawner.spawn(request);
    await bed.gateway.restart();
    expect(await running).toMatchObject({ ok: true, runId: request.idempotencyKey });
    expect(modelCallsFor(request)).toBe(1);
  }, 300_000);
});
