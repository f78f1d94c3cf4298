import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { CompiledCouncil } from '../router/compile-council.js';
import type { Sink } from '../sink/contract.js';
import { createSqliteSink } from '../sink/sqlite-sink.js';
import type { Source } from '../source/contract.js';
import { isRunning } from '../spawner/is-running.fixture.js';
import { createProcessSpawner, processSpawnerOptions } from '../spawner/process-spawner.js';
import type { TaskInput } from '../task.js';
import { waitFor } from '../testing/conformance-fixtures.js';
import { sampleFallbackCouncil, sampleUnsureTask } from '../testing/fallback-fixtures.js';
import { createDispatcher } from './dispatcher.js';
import type { FallbackEvent } from './events.js';
import { dispatcherSettingsSchema } from './settings.js';

// The fallback policy end to end on real parts: a council compiled from YAML, the sqlite ledger, and the `process`
// spawner running a small orchestrator script that answers as told by its argument.

const folder = mkdtempSync(join(tmpdir(), 'kurultai-orchestrator-'));
const consultLog = join(folder, 'consultations.log');
const CHOICE = { agent: 'jochi', rationale: 'The work is to verify the login page.' };

const scripts = {
  'orchestrator.mjs': `
    import { appendFileSync } from 'node:fs';
    const log = (event, fields = {}) => appendFileSync(process.env.CONSULT_LOG, JSON.stringify({ event, key: process.env.KURULTAI_IDEMPOTENCY_KEY, ...fields }) + '\\n');
    let prompt = '';
    for await (const chunk of process.stdin) prompt += chunk;
    log('start', { pid: process.pid, purpose: process.env.KURULTAI_PURPOSE, attempt: process.env.KURULTAI_ATTEMPT, prompt });
    const mode = process.argv[2];
    if (mode === 'slow') await new Promise((resolve) => setTimeout(resolve, 60_000));
    if (mode === 'pause') await new Promise((resolve) => setTimeout(resolve, 300));
    if (mode === 'fail') {
      process.stderr.write('the orchestrator is out of order\\n');
      process.exit(3);
    }
    log('end');
    const answers = {
      garbage: 'This task matters a great deal to the team.',
      unknown: '{"agent": "batu", "rationale": "Batu is free."}',
    };
    process.stdout.write(answers[mode] ?? 'After reading the task:\\n\`\`\`json\\n${JSON.stringify(CHOICE)}\\n\`\`\`\\n');
  `,
  'agent.mjs': `
    for await (const chunk of process.stdin);
    process.stdout.write('done by ' + process.env.KURULTAI_AGENT_ID);
  `,
};
for (const [name, text] of Object.entries(scripts)) writeFileSync(join(folder, name), text);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** The `process` spawner's settings for one of the scripts. */
const script = (name: string, ...args: string[]) => ({ command: process.execPath, args: [join(folder, name), ...args] });

interface Policy {
  /** How the orchestrator script answers: a choice of jochi (default), garbage, unknown, slow, fail, pause. */
  readonly mode?: string;
  readonly timeoutSeconds?: number;
  readonly maxConcurrent?: number;
}

/** The sample council (Kublai asked below 0.5), each agent a script. */
function councilWith({ mode = 'choice', timeoutSeconds = 30, maxConcurrent }: Policy = {}): CompiledCouncil {
  return sampleFallbackCouncil({
    timeoutSeconds,
    ...(maxConcurrent === undefined ? {} : { orchestratorMaxConcurrent: maxConcurrent }),
    spawn: { jochi: script('agent.mjs'), temujin: script('agent.mjs'), kublai: script('orchestrator.mjs', mode) },
  });
}

/** "build" and "test" tie: confidence 0.42, so the orchestrator is asked. */
const UNSURE = sampleUnsureTask('t-unsure');
/** "build" alone: confidence 0.58, the rules' decision stands. */
const SURE: TaskInput = { id: 't-sure', title: 'Build the parser', source: 'tasks' };

/** A source that delivers all its tasks on every read, as one re-read after a crash before its cursor was saved. */
function listSource(tasks: readonly TaskInput[]): Source {
  return {
    name: 'tasks',
    async *read() {
      yield { tasks, cursor: 'end' };
    },
    async writeBack() {},
  };
}

const openSinks: Sink[] = [];
afterEach(async () => {
  await Promise.all(openSinks.splice(0).map((sink) => sink.close()));
  writeFileSync(consultLog, '');
});

async function openLedger(): Promise<Sink> {
  const sink = createSqliteSink({ path: join(mkdtempSync(join(folder, 'ledger-')), 'ledger.db'), busyTimeoutMs: 5000, batchWrites: true, synchronous: 'normal' });
  await sink.init();
  openSinks.push(sink);
  return sink;
}

/** A dispatcher in review mode (routing is what is under test) unless `autoExecute`, recording the fallback events. */
function dispatcherOn(sink: Sink, council: CompiledCouncil, tasks: readonly TaskInput[], autoExecute = false) {
  const fallbacks: FallbackEvent[] = [];
  const dispatcher = createDispatcher({
    source: listSource(tasks),
    sink,
    spawner: createProcessSpawner({ ...processSpawnerOptions.parse({}), env: { CONSULT_LOG: consultLog }, killGraceMs: 200 }),
    council,
    settings: dispatcherSettingsSchema.parse({ pollSeconds: 0.02, leaseSeconds: 5, autoExecute }),
    listeners: [{ onFallback: (event) => fallbacks.push(event) }],
  });
  return { dispatcher, fallbacks };
}

interface Logged {
  readonly event: 'start' | 'end';
  readonly key: string;
  readonly pid?: number;
  readonly purpose?: string;
  readonly attempt?: string;
  readonly prompt?: string;
}

function consultations(): Logged[] {
  return readFileSync(consultLog, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Logged);
}

const started = () => consultations().filter((entry) => entry.event === 'start');

writeFileSync(consultLog, '');

describe('the fallback policy in the ingest stage', () => {
  it("records the orchestrator's choice with reason orchestrator and its rationale, keeping the rules' scores and hits", async () => {
    const sink = await openLedger();
    const council = councilWith();
    await dispatcherOn(sink, council, [UNSURE]).dispatcher.runOnce();
    const rules = council.route(UNSURE);
    expect((await sink.getTask(UNSURE.id))?.decision).toEqual({ ...rules, agent: 'jochi', type: 'testing', reason: 'orchestrator', rationale: CHOICE.rationale });
    expect(rules).toMatchObject({ agent: 'temujin', confidence: 0.422 });
  });

  it('reports the choice as an event with the rules\' verdict beside it', async () => {
    const { dispatcher, fallbacks } = dispatcherOn(await openLedger(), councilWith(), [UNSURE]);
    await dispatcher.runOnce();
    expect(fallbacks).toEqual([{ outcome: 'chosen', taskId: UNSURE.id, ask: 'kublai', agent: 'jochi', rulesAgent: 'temujin', confidence: 0.422, durationMs: expect.any(Number) }]);
  });

  it('asks only about the tasks the rules are unsure of', async () => {
    const sink = await openLedger();
    const council = councilWith();
    await dispatcherOn(sink, council, [SURE, UNSURE]).dispatcher.runOnce();
    expect(started().map((entry) => entry.key)).toEqual([`${UNSURE.id}:route`]);
    expect((await sink.getTask(SURE.id))?.decision).toEqual(council.route(SURE));
  });

  it('asks the orchestrator with the routing prompt, the key <taskId>:route and the purpose route', async () => {
    await dispatcherOn(await openLedger(), councilWith(), [UNSURE]).dispatcher.runOnce();
    const [asked] = started();
    expect(asked).toMatchObject({ key: 't-unsure:route', purpose: 'route', attempt: '1' });
    expect(asked?.prompt).toContain('You are Kublai, the orchestrator.');
    expect(asked?.prompt).toContain('- jochi: Jochi, security and testing.');
    expect(asked?.prompt).toContain('title: Build and test the login page');
  });

  it('runs the task on the agent the orchestrator chose', async () => {
    const sink = await openLedger();
    await dispatcherOn(sink, councilWith(), [UNSURE], true).dispatcher.runOnce();
    expect(await sink.getTask(UNSURE.id)).toMatchObject({ status: 'completed', output: 'done by jochi' });
  });

  it("keeps the rules' decision when the answer is not JSON, and says why", async () => {
    const sink = await openLedger();
    const council = councilWith({ mode: 'garbage' });
    const { dispatcher, fallbacks } = dispatcherOn(sink, council, [UNSURE]);
    await dispatcher.runOnce();
    expect((await sink.getTask(UNSURE.id))?.decision).toEqual(council.route(UNSURE));
    expect(fallbacks).toEqual([expect.objectContaining({ outcome: 'kept', cause: 'invalid-answer', error: 'the answer holds no JSON object with an "agent"', rulesAgent: 'temujin' })]);
  });

  it("keeps the rules' decision when the orchestrator names an agent the council does not have", async () => {
    const sink = await openLedger();
    const council = councilWith({ mode: 'unknown' });
    const { dispatcher, fallbacks } = dispatcherOn(sink, council, [UNSURE]);
    await dispatcher.runOnce();
    expect((await sink.getTask(UNSURE.id))?.decision).toEqual(council.route(UNSURE));
    expect(fallbacks).toEqual([expect.objectContaining({ outcome: 'kept', cause: 'invalid-answer', error: 'unknown agent "batu"; the council has jochi, temujin, kublai' })]);
  });

  it("keeps the rules' decision when the orchestrator takes longer than the policy's timeout, and stops its run", async () => {
    const sink = await openLedger();
    const council = councilWith({ mode: 'slow', timeoutSeconds: 1 });
    const { dispatcher, fallbacks } = dispatcherOn(sink, council, [UNSURE]);
    const summary = await dispatcher.runOnce();
    expect((await sink.getTask(UNSURE.id))?.decision).toEqual(council.route(UNSURE));
    expect(fallbacks).toEqual([expect.objectContaining({ outcome: 'kept', cause: 'timeout', error: 'no answer within 1s' })]);
    expect(summary.durationMs).toBeLessThan(15_000);
    const pid = started()[0]?.pid ?? 0;
    await waitFor('the orchestrator to be stopped', async () => !isRunning(pid));
  });

  it("keeps the rules' decision when the orchestrator's run fails", async () => {
    const sink = await openLedger();
    const council = councilWith({ mode: 'fail' });
    const { dispatcher, fallbacks } = dispatcherOn(sink, council, [UNSURE]);
    await dispatcher.runOnce();
    expect((await sink.getTask(UNSURE.id))?.decision).toEqual(council.route(UNSURE));
    expect(fallbacks).toEqual([expect.objectContaining({ outcome: 'kept', cause: 'spawn-failed', error: expect.stringContaining('exited with code 3: the orchestrator is out of order') })]);
  });

  it('does not ask again about a task the ledger already holds when the source delivers it again', async () => {
    const sink = await openLedger();
    await dispatcherOn(sink, councilWith({ mode: 'garbage' }), [UNSURE]).dispatcher.runOnce();
    const again = dispatcherOn(sink, councilWith(), [UNSURE]);
    await again.dispatcher.runOnce();
    expect(started()).toHaveLength(1);
    expect(again.fallbacks).toEqual([]);
    expect((await sink.getTask(UNSURE.id))?.decision.reason).toBe('tie-break');
  });

  it("never asks more at once than the orchestrator's max_concurrent", async () => {
    const tasks = [1, 2, 3, 4].map((n) => ({ ...UNSURE, id: `t-unsure-${n}` }));
    const sink = await openLedger();
    await dispatcherOn(sink, councilWith({ mode: 'pause', maxConcurrent: 1 }), tasks).dispatcher.runOnce();
    let inFlight = 0;
    let peak = 0;
    for (const entry of consultations()) {
      inFlight += entry.event === 'start' ? 1 : -1;
      peak = Math.max(peak, inFlight);
    }
    expect(peak).toBe(1);
    expect(started()).toHaveLength(4);
    for (const task of tasks) expect((await sink.getTask(task.id))?.decision.reason).toBe('orchestrator');
  });

  it('stops asking on shutdown and leaves the task unrecorded, so the next start asks again under the same key', async () => {
    const sink = await openLedger();
    const first = dispatcherOn(sink, councilWith({ mode: 'slow' }), [SURE, UNSURE]);
    const running = first.dispatcher.runOnce();
    await waitFor('the orchestrator to be asked', async () => started().length === 1);
    await first.dispatcher.drain(0);
    await running;
    expect(first.fallbacks).toEqual([expect.objectContaining({ outcome: 'interrupted', taskId: UNSURE.id })]);
    expect(await sink.getTask(UNSURE.id)).toBeUndefined();
    expect(await sink.getTask(SURE.id)).toBeDefined();
    await dispatcherOn(sink, councilWith(), [SURE, UNSURE]).dispatcher.runOnce();
    expect(started().map((entry) => entry.key)).toEqual(['t-unsure:route', 't-unsure:route']);
    expect((await sink.getTask(UNSURE.id))?.decision.reason).toBe('orchestrator');
  });
});
