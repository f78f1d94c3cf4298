import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDispatcher, createSqliteSink, dispatcherSettingsSchema, type CompiledCouncil, type FallbackEvent, type Sink, type TaskInput } from '@kurultai/core';
import { sampleFallbackCouncil, sampleUnsureTask } from '@kurultai/core/testing';
import type { GatewayClient } from '@openclaw/gateway-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenClawSpawner, type OpenClawSpawner } from './index.js';
import { connectBareGatewayClient, startOpenClawTestBed, type OpenClawTestBed } from './testing/index.js';

// The rules' fallback policy through a real gateway: the dispatcher asks the orchestrator agent (Kublai, an OpenClaw
// agent on the fake model) to choose the agent of a task the rules are unsure of, and records what it decided.

let bed: OpenClawTestBed;
let observer: GatewayClient;
let spawner: OpenClawSpawner;
const folder = mkdtempSync(join(tmpdir(), 'kurultai-openclaw-fallback-'));
const sinks: Sink[] = [];

beforeAll(async () => {
  bed = await startOpenClawTestBed({ agentIds: ['jochi', 'temujin', 'kublai'], maxConcurrent: 4 });
  observer = await connectBareGatewayClient(bed.gateway);
  spawner = createOpenClawSpawner({ gatewayUrl: bed.gateway.url, reconnect: { initialDelayMs: 100, maxDelayMs: 1000 } }, { env: bed.env });
}, 120_000);

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail') console.error(`--- OpenClaw gateway output (tail) ---\n${bed?.gateway.logTail()}`);
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
});

afterAll(async () => {
  await spawner?.close();
  observer?.stop();
  await bed?.stop();
  rmSync(folder, { recursive: true, force: true });
});

/** The policy's timeout where the orchestrator is to answer. */
const ANSWER_SECONDS = 120;

/** The sample council: Kublai (the OpenClaw agent of the same id) is asked when the rules are below 0.5 sure. */
const council = (timeoutSeconds: number) => sampleFallbackCouncil({ timeoutSeconds });

/** Routes and records the task in review mode (nothing runs but the orchestrator), on a fresh ledger. */
async function routeOnGateway(task: TaskInput, rules: CompiledCouncil) {
  const sink = createSqliteSink({ path: join(mkdtempSync(join(folder, 'ledger-')), 'ledger.db'), busyTimeoutMs: 5000, batchWrites: true, synchronous: 'normal' });
  sinks.push(sink);
  await sink.init();
  const fallbacks: FallbackEvent[] = [];
  const dispatcher = createDispatcher({
    source: { name: 'tasks', async *read() { yield { tasks: [task], cursor: 'end' }; }, async writeBack() {} },
    sink,
    spawner,
    council: rules,
    settings: dispatcherSettingsSchema.parse({ pollSeconds: 0.05, autoExecute: false }),
    listeners: [{ onFallback: (event) => fallbacks.push(event) }],
  });
  await dispatcher.runOnce();
  return { stored: await sink.getTask(task.id), fallbacks };
}

// A gateway's first turn for an agent has taken 45 s here on 2 cores: the policy and the tests allow for it.
describe('the fallback policy through a real OpenClaw gateway', { timeout: 150_000 }, () => {
  it("records the orchestrator agent's choice with reason orchestrator and its rationale", async () => {
    const task = sampleUnsureTask(`oc-choice-${process.pid}`);
    bed.model.answerWith(`id: ${task.id}\n`, 'My choice:\n```json\n{"agent": "jochi", "rationale": "The page needs its behaviour verified."}\n```');
    const rules = council(ANSWER_SECONDS);
    const { stored, fallbacks } = await routeOnGateway(task, rules);
    expect(stored?.decision).toEqual({ ...rules.route(task), agent: 'jochi', type: 'testing', reason: 'orchestrator', rationale: 'The page needs its behaviour verified.' });
    expect(fallbacks).toEqual([expect.objectContaining({ outcome: 'chosen', agent: 'jochi', rulesAgent: 'temujin' })]);
  });

  it("asks in a session of the orchestrator's own for the routing, apart from the task's, under the key <taskId>:route", async () => {
    const task = sampleUnsureTask(`oc-session-${process.pid}`);
    bed.model.answerWith(`id: ${task.id}\n`, '{"agent": "jochi", "rationale": "Verification work."}');
    await routeOnGateway(task, council(ANSWER_SECONDS));
    const history = await observer.request<{ sessionInfo: { agentId: string; lastRunId: string } }>('chat.history', {
      sessionKey: `agent:kublai:kurultai:${task.id}:route`,
      limit: 1,
    });
    expect(history.sessionInfo).toMatchObject({ agentId: 'kublai', lastRunId: `${task.id}:route` });
  });

  it("keeps the rules' decision when the orchestrator answers without a choice", async () => {
    const task = sampleUnsureTask(`oc-garbage-${process.pid}`);
    bed.model.answerWith(`id: ${task.id}\n`, 'Both agents could do it; it is hard to say.');
    const rules = council(ANSWER_SECONDS);
    const { stored, fallbacks } = await routeOnGateway(task, rules);
    expect(stored?.decision).toEqual(rules.route(task));
    expect(fallbacks).toEqual([expect.objectContaining({ outcome: 'kept', cause: 'invalid-answer', error: 'the answer holds no JSON object with an "agent"' })]);
  });

  it("keeps the rules' decision when the orchestrator does not answer within the policy's timeout", async () => {
    const task = sampleUnsureTask(`oc-slow-${process.pid}`, '[[fake:delay=60000]]');
    const rules = council(2);
    const { stored, fallbacks } = await routeOnGateway(task, rules);
    expect(stored?.decision).toEqual(rules.route(task));
    expect(fallbacks).toEqual([expect.objectContaining({ outcome: 'kept', cause: 'timeout' })]);
  });
});
