import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentPersona, Council } from '../router/council.js';
import type { Decision } from '../router/decision.js';
import { createSqliteSink } from '../sink/sqlite-sink.js';
import type { Sink } from '../sink/contract.js';
import type { Source, SourceBatch, WriteBack } from '../source/contract.js';
import type { SpawnOutcome, SpawnRequest, Spawner } from '../spawner/contract.js';
import type { TaskInput } from '../task.js';
import { sampleMemory } from '../testing/conformance-fixtures.js';
import { createDispatcher, type Dispatcher } from './dispatcher.js';
import type { CorrectionEvent, DispatcherListener, DispatcherWarningEvent, TaskStatusEvent, WriteBackEvent } from './events.js';
import { dispatcherSettingsSchema, type DispatcherSettings } from './settings.js';

// A small council: tasks mentioning "build" go to the builder, the rest to the scholar. The dispatcher only sees the
// `Council` interface; the routing engine itself is specified in router/.
function councilOf(agents: readonly AgentPersona[]): Council {
  const decide = (agent: string): Decision => ({ agent, type: agent === 'builder' ? 'build' : 'research', score: 1, scores: { [agent]: 1 }, margin: 1, matched: [], confidence: 1, reason: 'highest-score' });
  return {
    agents,
    defaultAgent: 'scholar',
    route: (task) => decide(/build/i.test(task.title) ? 'builder' : 'scholar'),
    prompt: (agentId, task) => `You are ${agentId}.\n<task>${task.title}</task>`,
  };
}
const persona = (id: string, maxConcurrent?: number): AgentPersona => ({ id, name: id, role: id, instructions: '', spawn: {}, ...(maxConcurrent === undefined ? {} : { maxConcurrent }) });
const council = councilOf([persona('builder'), persona('scholar')]);

/** A source backed by an array: what it holds now is one batch; it records write-backs and can refuse the first ones. */
function arraySource(tasks: readonly TaskInput[], options: { refuseFirst?: number } = {}) {
  const delivered: WriteBack[] = [];
  let refusals = options.refuseFirst ?? 0;
  const source: Source = {
    name: 'tasks',
    async *read({ cursor }): AsyncIterable<SourceBatch> {
      const from = cursor === undefined ? 0 : Number(cursor);
      yield { tasks: tasks.slice(from), cursor: String(tasks.length) };
    },
    async writeBack(update) {
      if (refusals > 0) {
        refusals -= 1;
        throw new Error('the source is briefly unavailable');
      }
      delivered.push(update);
    },
  };
  return { source, delivered };
}

type Script = (request: SpawnRequest) => Promise<SpawnOutcome>;

/** A spawner run by a script, which also records every request and the most runs seen at once (in all and per agent). */
function scriptedSpawner(script: Script = async (request) => ({ ok: true, output: `done ${request.taskId}` })) {
  const requests: SpawnRequest[] = [];
  const running = new Map<string, number>();
  const peak = { all: 0, byAgent: {} as Record<string, number> };
  const spawner: Spawner = {
    async spawn(request) {
      requests.push(request);
      const agent = request.agent.id;
      running.set(agent, (running.get(agent) ?? 0) + 1);
      peak.all = Math.max(peak.all, [...running.values()].reduce((a, b) => a + b, 0));
      peak.byAgent[agent] = Math.max(peak.byAgent[agent] ?? 0, running.get(agent) ?? 0);
      try {
        return await script(request);
      } finally {
        running.set(agent, (running.get(agent) ?? 1) - 1);
      }
    },
  };
  return { spawner, requests, peak };
}

const delay = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

const tasksNamed = (...titles: string[]): TaskInput[] => titles.map((title, index) => ({ id: `t-${index + 1}`, title, source: 'tasks' }));
const manyTasks = (count: number, title = 'Survey the field'): TaskInput[] =>
  Array.from({ length: count }, (_, index) => ({ id: `t-${index + 1}`, title: `${title} ${index + 1}`, source: 'tasks' }));

const openSinks: Sink[] = [];
const folders: string[] = [];
afterEach(async () => {
  await Promise.all(openSinks.splice(0).map((sink) => sink.close()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

async function openLedger(): Promise<Sink> {
  const folder = mkdtempSync(join(tmpdir(), 'kurultai-dispatcher-'));
  folders.push(folder);
  const sink = createSqliteSink({ path: join(folder, 'ledger.db'), busyTimeoutMs: 5000, batchWrites: true, synchronous: 'normal' });
  await sink.init();
  openSinks.push(sink);
  return sink;
}

interface Setup {
  readonly tasks: readonly TaskInput[];
  readonly spawner?: Spawner;
  readonly council?: Council;
  readonly settings?: Record<string, unknown>;
  readonly refuseWriteBacks?: number;
  readonly listeners?: readonly DispatcherListener[];
  /** Stands between the dispatcher and the real ledger (to hold a write back, say). */
  readonly wrapSink?: (sink: Sink) => Sink;
}

/** A dispatcher on a fresh sqlite ledger, with quick polls and short leases, recording every event. */
async function setUp(setup: Setup) {
  const sink = await openLedger();
  const { source, delivered } = arraySource(setup.tasks, { refuseFirst: setup.refuseWriteBacks ?? 0 });
  const statuses: TaskStatusEvent[] = [];
  const writeBacks: WriteBackEvent[] = [];
  const settings: DispatcherSettings = dispatcherSettingsSchema.parse({ pollSeconds: 0.02, leaseSeconds: 1, ...setup.settings });
  const dispatcher: Dispatcher = createDispatcher({
    source,
    sink: setup.wrapSink?.(sink) ?? sink,
    spawner: setup.spawner ?? scriptedSpawner().spawner,
    council: setup.council ?? council,
    settings,
    random: () => 1,
    listeners: [{ onTaskStatus: (event) => statuses.push(event), onWriteBack: (event) => writeBacks.push(event) }, ...(setup.listeners ?? [])],
  });
  return { sink, dispatcher, statuses, writeBacks, delivered };
}

describe('createDispatcher', () => {
  it('runs every task from the source to completion and records each step in the ledger', async () => {
    const { sink, dispatcher } = await setUp({ tasks: tasksNamed('Build the parser', 'Survey vector stores') });
    const summary = await dispatcher.runOnce();
    expect(summary).toMatchObject({ ingested: 2, completed: 2, failed: 0 });
    expect((await sink.getTask('t-1'))?.output).toBe('done t-1');
    expect((await sink.history('t-1')).map((change) => change.to)).toEqual(['pending', 'assigned', 'in_progress', 'completed']);
  });

  it('never runs more tasks at once than the global cap, and drops none of the backlog', async () => {
    const { spawner, peak } = scriptedSpawner(async (request) => (await delay(15), { ok: true, output: request.taskId }));
    const { dispatcher } = await setUp({ tasks: manyTasks(30), spawner, settings: { maxConcurrentTasks: 3 } });
    const summary = await dispatcher.runOnce();
    expect(peak.all).toBe(3);
    expect(summary.completed).toBe(30);
  });

  it("claims the next task as soon as an agent's run ends, while that run's outcome is still being recorded", async () => {
    let secondRunStarted!: () => void;
    const whenSecondRunStarts = new Promise<void>((resolve) => (secondRunStarted = resolve));
    const { spawner, requests, peak } = scriptedSpawner(async (request) => {
      if (request.taskId === 't-2') secondRunStarted();
      return { ok: true, output: request.taskId };
    });
    let heldUntil: 'the second run started' | 'a timeout' | undefined;
    // The first completion is held until the second task's run starts (or, were the slot still taken, a timeout).
    const holdFirstCompletion = (sink: Sink): Sink =>
      new Proxy(sink, {
        get(target, key) {
          if (key === 'complete') {
            return async (...args: Parameters<Sink['complete']>) => {
              if (args[0].taskId === 't-1') {
                heldUntil = await Promise.race([
                  whenSecondRunStarts.then(() => 'the second run started' as const),
                  delay(1000).then(() => 'a timeout' as const),
                ]);
              }
              return target.complete(...args);
            };
          }
          const value: unknown = Reflect.get(target, key, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    const { dispatcher } = await setUp({ tasks: manyTasks(3), spawner, settings: { maxConcurrentTasks: 1 }, wrapSink: holdFirstCompletion });
    expect(await dispatcher.runOnce()).toMatchObject({ completed: 3 });
    expect(heldUntil).toBe('the second run started');
    expect(peak.all).toBe(1);
    expect(requests.map((request) => request.taskId)).toEqual(['t-1', 't-2', 't-3']);
  });

  it("never runs more of an agent's tasks at once than its maxConcurrent", async () => {
    const { spawner, peak } = scriptedSpawner(async (request) => (await delay(15), { ok: true, output: request.taskId }));
    const capped = councilOf([persona('builder', 1), persona('scholar')]);
    const tasks = [...manyTasks(8, 'Build module'), ...manyTasks(8, 'Survey').map((task) => ({ ...task, id: `s-${task.id}` }))];
    const { dispatcher } = await setUp({ tasks, spawner, council: capped, settings: { maxConcurrentTasks: 4 } });
    const summary = await dispatcher.runOnce();
    expect(peak.byAgent.builder).toBe(1);
    expect(peak.byAgent.scholar).toBeGreaterThan(1);
    expect(summary.completed).toBe(16);
  });

  it('aborts a run that outlives the task timeout through its AbortSignal', async () => {
    const signals: AbortSignal[] = [];
    const { spawner } = scriptedSpawner(async (request) => {
      signals.push(request.signal);
      await delay(60_000, request.signal);
      return { ok: false, error: { code: 'aborted', message: 'stopped', retryable: true } };
    });
    const { sink, dispatcher } = await setUp({ tasks: tasksNamed('Survey slowly'), spawner, settings: { taskTimeoutSeconds: 0.05, retries: { maxAttempts: 1 } } });
    await dispatcher.runOnce();
    expect(signals[0]?.aborted).toBe(true);
    expect(await sink.getTask('t-1')).toMatchObject({ status: 'failed', error: expect.stringMatching(/^timeout: /) });
  });

  it('retries a retryable failure as the next attempt, with its own idempotency key, until it succeeds', async () => {
    const { spawner, requests } = scriptedSpawner(async (request) =>
      request.attempt < 3 ? { ok: false, error: { code: 'unavailable', message: 'gateway restarting', retryable: true } } : { ok: true, output: 'finally' },
    );
    const { sink, dispatcher } = await setUp({ tasks: tasksNamed('Survey'), spawner, settings: { retries: { maxAttempts: 3, baseDelaySeconds: 0 } } });
    const summary = await dispatcher.runOnce();
    expect(requests.map((request) => request.idempotencyKey)).toEqual(['t-1:1', 't-1:2', 't-1:3']);
    expect(summary).toMatchObject({ completed: 1, retried: 2 });
    expect(await sink.getTask('t-1')).toMatchObject({ status: 'completed', attempt: 3, output: 'finally' });
  });

  it('waits the backoff before the next attempt', async () => {
    const starts: number[] = [];
    const { spawner } = scriptedSpawner(async () => {
      starts.push(Date.now());
      return starts.length === 1 ? { ok: false, error: { code: 'unavailable', message: 'down', retryable: true } } : { ok: true, output: 'ok' };
    });
    const { sink, dispatcher } = await setUp({ tasks: tasksNamed('Survey'), spawner, settings: { retries: { baseDelaySeconds: 0.3 } } });
    const running = dispatcher.run();
    await expect.poll(async () => (await sink.getTask('t-1'))?.status, { timeout: 10_000 }).toBe('completed');
    await dispatcher.drain(0);
    await running;
    expect((starts[1] ?? 0) - (starts[0] ?? 0)).toBeGreaterThanOrEqual(300);
  });

  it('finishes runOnce without waiting for a retry that is due later, and leaves it retrying in the ledger', async () => {
    const { spawner, requests } = scriptedSpawner(async () => ({ ok: false, error: { code: 'unavailable', message: 'down', retryable: true } }));
    const { sink, dispatcher } = await setUp({ tasks: tasksNamed('Survey', 'Survey more'), spawner, settings: { retries: { baseDelaySeconds: 60 } } });
    const before = Date.now();
    const summary = await dispatcher.runOnce();
    expect(requests).toHaveLength(2);
    expect(summary).toMatchObject({ completed: 0, failed: 0, retried: 2, ledger: { byStatus: { retrying: 2 }, waitingRetries: { count: 2 } } });
    // The test pins the jitter at its top, so the first retry is due a full base delay after its failure.
    expect(summary.ledger.waitingRetries?.nextDueAt.getTime()).toBeGreaterThanOrEqual(before + 60_000);
    expect(await sink.getTask('t-1')).toMatchObject({ status: 'retrying', attempt: 2 });
  });

  it('runs in a later runOnce a retry that has come due since the last one', async () => {
    const { spawner, requests } = scriptedSpawner(async (request) =>
      request.attempt === 1 ? { ok: false, error: { code: 'unavailable', message: 'down', retryable: true } } : { ok: true, output: 'second time lucky' },
    );
    const { sink, dispatcher } = await setUp({ tasks: tasksNamed('Survey'), spawner, settings: { retries: { baseDelaySeconds: 0.2 } } });
    const first = await dispatcher.runOnce();
    await delay((first.ledger.waitingRetries?.nextDueAt.getTime() ?? 0) - Date.now() + 10);
    const second = await dispatcher.runOnce();
    expect(requests.map((request) => request.idempotencyKey)).toEqual(['t-1:1', 't-1:2']);
    expect(second).toMatchObject({ ingested: 0, completed: 1, ledger: { byStatus: { completed: 1 }, waitingRetries: null } });
    expect((await sink.getTask('t-1'))?.output).toBe('second time lucky');
  });

  it('still waits in runOnce for a task another worker holds in progress', async () => {
    const sink = await openLedger();
    const [task] = tasksNamed('Survey');
    await sink.ingest([{ task: task!, decision: council.route(task!) }]);
    const [held] = await sink.claim({ workerId: 'other-worker', limit: 1, leaseMs: 60_000 });
    const settings = dispatcherSettingsSchema.parse({ pollSeconds: 0.02 });
    const dispatcher = createDispatcher({ source: arraySource([]).source, sink, spawner: scriptedSpawner().spawner, council, settings });
    let finished = false;
    const once = dispatcher.runOnce().finally(() => (finished = true));
    await delay(200);
    expect(finished).toBe(false);
    await sink.complete(held!.lease, { output: 'done elsewhere', memory: sampleMemory('t-1', 'scholar') });
    expect((await once).ledger.byStatus).toEqual({ completed: 1 });
  });

  it('fails a task once its retryable failures use up the attempts', async () => {
    const { spawner, requests } = scriptedSpawner(async () => ({ ok: false, error: { code: 'agent_error', message: 'crashed', retryable: true } }));
    const { sink, dispatcher } = await setUp({ tasks: tasksNamed('Survey'), spawner, settings: { retries: { maxAttempts: 2, baseDelaySeconds: 0 } } });
    const summary = await dispatcher.runOnce();
    expect(requests).toHaveLength(2);
    expect(summary.failed).toBe(1);
    expect(await sink.getTask('t-1')).toMatchObject({ status: 'failed', attempt: 2, error: 'agent_error: crashed' });
  });

  it('fails a task at once when a retry will not help', async () => {
    const { spawner, requests } = scriptedSpawner(async () => ({ ok: false, error: { code: 'invalid_request', message: 'no such agent', retryable: false } }));
    const { sink, dispatcher } = await setUp({ tasks: tasksNamed('Survey'), spawner });
    await dispatcher.runOnce();
    expect(requests).toHaveLength(1);
    expect((await sink.getTask('t-1'))?.status).toBe('failed');
  });

  it('treats a spawner that throws as a retryable internal failure', async () => {
    const { spawner, requests } = scriptedSpawner(async (request) => {
      if (request.attempt === 1) throw new Error('socket hang up');
      return { ok: true, output: 'recovered' };
    });
    const { statuses, dispatcher } = await setUp({ tasks: tasksNamed('Survey'), spawner, settings: { retries: { baseDelaySeconds: 0 } } });
    await dispatcher.runOnce();
    expect(requests).toHaveLength(2);
    expect(statuses.find((event) => event.to === 'retrying')).toMatchObject({ reason: 'internal: socket hang up' });
  });

  it('gives the agent a learning memory (0.7) for a completed task, tagged with the task type and the source', async () => {
    const { sink, dispatcher } = await setUp({ tasks: tasksNamed('Build the parser') });
    await dispatcher.runOnce();
    const [memory] = await sink.memories('builder');
    expect(memory).toMatchObject({ kind: 'learning', importance: 0.7, tags: ['build', 'tasks'], taskId: 't-1' });
    expect(memory?.content).toContain('done t-1');
  });

  it('gives the agent an observation memory (0.8) carrying the error for a failed task', async () => {
    const { spawner } = scriptedSpawner(async () => ({ ok: false, error: { code: 'invalid_request', message: 'prompt too long', retryable: false } }));
    const { sink, dispatcher } = await setUp({ tasks: tasksNamed('Survey the field'), spawner });
    await dispatcher.runOnce();
    const [memory] = await sink.memories('scholar');
    expect(memory).toMatchObject({ kind: 'observation', importance: 0.8, tags: ['research', 'tasks'] });
    expect(memory?.content).toContain('invalid_request: prompt too long');
  });

  it('routes and records tasks without running them in review mode', async () => {
    const { spawner, requests } = scriptedSpawner();
    const { sink, dispatcher } = await setUp({ tasks: tasksNamed('Build it', 'Survey it'), spawner, settings: { autoExecute: false } });
    const summary = await dispatcher.runOnce();
    expect(requests).toHaveLength(0);
    expect(summary.ledger.byStatus).toEqual({ assigned: 2 });
    expect((await sink.getTask('t-1'))?.decision.agent).toBe('builder');
  });

  it('emits a typed event for every transition of a task, in order', async () => {
    const { statuses, dispatcher } = await setUp({ tasks: tasksNamed('Build the parser') });
    await dispatcher.runOnce();
    expect(statuses.map((event) => event.to)).toEqual(['assigned', 'in_progress', 'completed']);
    expect(statuses[0]).toMatchObject({ to: 'assigned', taskId: 't-1', agent: 'builder', decision: { agent: 'builder' } });
    expect(statuses[2]).toMatchObject({ to: 'completed', output: 'done t-1', attempt: 1 });
  });

  it("forwards the spawner's progress to listeners", async () => {
    const progress: string[] = [];
    const { spawner } = scriptedSpawner(async (request) => {
      request.onEvent?.({ type: 'lifecycle', phase: 'start' });
      request.onEvent?.({ type: 'delta', text: 'hel' });
      return { ok: true, output: 'hello' };
    });
    const listener: DispatcherListener = { onSpawnProgress: (event) => progress.push(event.event.type) };
    const { dispatcher } = await setUp({ tasks: tasksNamed('Survey'), spawner, listeners: [listener] });
    await dispatcher.runOnce();
    expect(progress).toEqual(['lifecycle', 'delta']);
  });

  it('keeps running when a listener throws', async () => {
    const errors: string[] = [];
    const listeners: DispatcherListener[] = [{ onTaskStatus: () => { throw new Error('broken view'); } }, { onError: (event) => errors.push(event.error) }];
    const { dispatcher } = await setUp({ tasks: tasksNamed('Survey', 'Survey more'), listeners });
    const summary = await dispatcher.runOnce();
    expect(summary.completed).toBe(2);
    expect(errors).toContain('broken view');
  });

  it('writes the assignment and each status back to the source, in order per task', async () => {
    const { dispatcher, delivered } = await setUp({ tasks: tasksNamed('Build the parser') });
    await dispatcher.runOnce();
    expect(delivered).toEqual([
      { kind: 'assigned', taskId: 't-1', agent: 'builder', agentName: 'builder' },
      { kind: 'in_progress', taskId: 't-1', agent: 'builder', attempt: 1 },
      { kind: 'completed', taskId: 't-1', agent: 'builder', output: 'done t-1' },
    ]);
  });

  it('offers a refused write-back again until the source accepts it', async () => {
    const { dispatcher, delivered, writeBacks } = await setUp({ tasks: tasksNamed('Survey'), refuseWriteBacks: 1, settings: { leaseSeconds: 0.2 } });
    const running = dispatcher.run();
    await expect.poll(() => delivered.map((update) => update.kind), { timeout: 10_000 }).toEqual(['assigned', 'in_progress', 'completed']);
    await dispatcher.drain(0);
    await running;
    expect(writeBacks[0]).toMatchObject({ outcome: 'refused', error: 'the source is briefly unavailable' });
  });

  it('runs again, as the same attempt, a task whose worker died holding it', async () => {
    const sink = await openLedger();
    const { source } = arraySource(tasksNamed('Survey'));
    await sink.ingest([{ task: tasksNamed('Survey')[0]!, decision: council.route(tasksNamed('Survey')[0]!) }]);
    const [abandoned] = await sink.claim({ workerId: 'dead-worker', limit: 1, leaseMs: 100 });
    const { spawner, requests } = scriptedSpawner();
    const settings = dispatcherSettingsSchema.parse({ pollSeconds: 0.02, leaseSeconds: 0.1 });
    const dispatcher = createDispatcher({ source, sink, spawner, council, settings });
    await dispatcher.runOnce();
    expect(requests.map((request) => request.idempotencyKey)).toEqual([`t-1:${abandoned?.lease.attempt}`]);
    expect((await sink.getTask('t-1'))?.status).toBe('completed');
  });

  it('lets running tasks finish when draining, and claims nothing more', async () => {
    const { spawner, requests } = scriptedSpawner(async (request) => (await delay(100), { ok: true, output: request.taskId }));
    const { sink, dispatcher } = await setUp({ tasks: manyTasks(10), spawner, settings: { maxConcurrentTasks: 2 } });
    const running = dispatcher.run();
    await expect.poll(() => requests.length).toBe(2);
    await dispatcher.drain(10_000);
    await running;
    const { byStatus } = await sink.summary();
    expect(byStatus).toEqual({ completed: 2, assigned: 8 });
  });

  it('returns from run only once the running tasks have their outcome recorded', async () => {
    const { spawner, requests } = scriptedSpawner(async (request) => (await delay(100), { ok: true, output: request.taskId }));
    const { sink, dispatcher } = await setUp({ tasks: tasksNamed('Survey'), spawner });
    const running = dispatcher.run();
    await expect.poll(() => requests.length).toBe(1);
    void dispatcher.drain(10_000);
    await running;
    expect((await sink.getTask('t-1'))?.status).toBe('completed');
  });

  it('releases running tasks to the queue, same attempt, when the grace period is over', async () => {
    const { spawner, requests } = scriptedSpawner(async (request) => {
      await delay(60_000, request.signal);
      return { ok: false, error: { code: 'aborted', message: 'stopped', retryable: true } };
    });
    const { sink, statuses, dispatcher } = await setUp({ tasks: tasksNamed('Survey'), spawner });
    const running = dispatcher.run();
    await expect.poll(() => requests.length).toBe(1);
    await dispatcher.drain(50);
    await running;
    expect(await sink.getTask('t-1')).toMatchObject({ status: 'retrying', attempt: 1 });
    expect(statuses.at(-1)).toMatchObject({ to: 'retrying', reason: 'released: the worker is shutting down' });
  });

  it('fails runOnce with the source error once the tasks already running have finished', async () => {
    const { spawner, requests } = scriptedSpawner(async (request) => (await delay(50), { ok: true, output: request.taskId }));
    const sink = await openLedger();
    const [first] = tasksNamed('Survey');
    const source: Source = {
      name: 'tasks',
      async *read() {
        yield { tasks: [first!], cursor: '1' };
        await expect.poll(() => requests.length).toBe(1);
        throw new Error('the task file vanished');
      },
      async writeBack() {},
    };
    const dispatcher = createDispatcher({ source, sink, spawner, council, settings: dispatcherSettingsSchema.parse({ pollSeconds: 0.02 }) });
    await expect(dispatcher.runOnce()).rejects.toThrow('the task file vanished');
    expect((await sink.getTask('t-1'))?.status).toBe('completed');
  });

  it('routes tasks read after a council change with the new council', async () => {
    const { sink, dispatcher } = await setUp({ tasks: tasksNamed('Build the parser'), settings: { autoExecute: false } });
    dispatcher.replaceCouncil({ ...council, route: (task) => ({ ...council.route(task), agent: 'scholar' }) });
    await dispatcher.runOnce();
    expect((await sink.getTask('t-1'))?.decision.agent).toBe('scholar');
  });
});

describe('corrections reported by the source', () => {
  // Display names unlike the ids, as a real council has them (Temüjin for temujin).
  const named = councilOf([{ ...persona('builder'), name: 'Bob the Builder' }, { ...persona('scholar'), name: 'Scholar Ögedei' }]);

  /** A source that delivers all it holds at every read, as a source re-reading edited tasks does; tests edit `tasks`. */
  function editableSource(tasks: TaskInput[]) {
    const delivered: WriteBack[] = [];
    const source: Source = {
      name: 'board',
      async *read() {
        yield { tasks: [...tasks], cursor: 'all' };
      },
      async writeBack(update) {
        delivered.push(update);
      },
    };
    return { source, delivered };
  }

  /** One `runOnce` on the ledger: `autoExecute: false` records without running, as before a task is started. */
  async function runOnce(sink: Sink, source: Source, options: { readonly autoExecute?: boolean; readonly spawner?: Spawner } = {}) {
    const corrections: CorrectionEvent[] = [];
    const warnings: DispatcherWarningEvent[] = [];
    const dispatcher = createDispatcher({
      source,
      sink,
      spawner: options.spawner ?? scriptedSpawner().spawner,
      council: named,
      settings: dispatcherSettingsSchema.parse({ pollSeconds: 0.02, autoExecute: options.autoExecute ?? true }),
      listeners: [{ onCorrection: (event) => corrections.push(event), onWarning: (event) => warnings.push(event) }],
    });
    const summary = await dispatcher.runOnce();
    return { summary, corrections, warnings };
  }

  const buildTask = (assignee?: TaskInput['assignee']): TaskInput => ({
    id: 't-1',
    title: 'Build the parser',
    source: 'board',
    ...(assignee === undefined ? {} : { assignee }),
  });

  it("gives a new task to the agent a person chose, by display name, and records the correction of the router's choice", async () => {
    const sink = await openLedger();
    const { spawner, requests } = scriptedSpawner();
    await runOnce(sink, editableSource([buildTask({ agent: 'scholar ogedei', by: 'user-ada' })]).source, { spawner });
    expect((await sink.getTask('t-1'))?.decision).toMatchObject({ agent: 'scholar', reason: 'correction', confidence: 1 });
    expect(requests.map((request) => request.agent.id)).toEqual(['scholar']);
    expect(await sink.corrections()).toEqual([
      { task: buildTask({ agent: 'scholar ogedei', by: 'user-ada' }), from: 'builder', to: 'scholar', by: 'user-ada', at: expect.any(Date) },
    ]);
  });

  it('reassigns a recorded task not yet started when its source reports another agent, and runs it there', async () => {
    const sink = await openLedger();
    const tasks = [buildTask()];
    const { source } = editableSource(tasks);
    // Review mode holds the task unstarted; a running worker would claim it as soon as it is recorded.
    await runOnce(sink, source, { autoExecute: false });
    tasks[0] = buildTask({ agent: 'Scholar Ögedei', by: 'user-ada' });
    const { corrections } = await runOnce(sink, source, { autoExecute: false });
    expect(corrections).toEqual([{ taskId: 't-1', from: 'builder', to: 'scholar', by: 'user-ada', moved: true, at: expect.any(Date) }]);
    const { spawner, requests } = scriptedSpawner();
    await runOnce(sink, source, { spawner });
    expect(requests.map((request) => request.agent.id)).toEqual(['scholar']);
    expect(await sink.getTask('t-1')).toMatchObject({ status: 'completed', decision: { agent: 'scholar', reason: 'correction' } });
  });

  it('tells the source the new agent by its display name when a task moves', async () => {
    const sink = await openLedger();
    const tasks = [buildTask()];
    const { source, delivered } = editableSource(tasks);
    await runOnce(sink, source, { autoExecute: false });
    tasks[0] = buildTask({ agent: 'scholar' });
    await runOnce(sink, source, { autoExecute: false });
    expect(delivered).toEqual([
      { kind: 'assigned', taskId: 't-1', agent: 'builder', agentName: 'Bob the Builder' },
      { kind: 'assigned', taskId: 't-1', agent: 'scholar', agentName: 'Scholar Ögedei' },
    ]);
  });

  it('changes nothing when the source reports the agent the task already has, as after its own write-back', async () => {
    const sink = await openLedger();
    const tasks = [buildTask()];
    const { source } = editableSource(tasks);
    await runOnce(sink, source, { autoExecute: false });
    const history = await sink.history('t-1');
    tasks[0] = buildTask({ agent: 'Bob the Builder', by: 'user-ada' });
    const { corrections } = await runOnce(sink, source, { autoExecute: false });
    expect(corrections).toEqual([]);
    expect(await sink.corrections()).toEqual([]);
    expect(await sink.history('t-1')).toEqual(history);
  });

  it('records a correction of a completed task without moving it, naming the source when it says nobody', async () => {
    const sink = await openLedger();
    const tasks = [buildTask()];
    const { source } = editableSource(tasks);
    await runOnce(sink, source);
    tasks[0] = buildTask({ agent: 'scholar' });
    const { corrections } = await runOnce(sink, source);
    expect(corrections).toEqual([{ taskId: 't-1', from: 'builder', to: 'scholar', by: 'board', moved: false, at: expect.any(Date) }]);
    expect(await sink.getTask('t-1')).toMatchObject({ status: 'completed', decision: { agent: 'builder' } });
  });

  it('sets aside an assignee that names no agent of the council, with a warning naming the task', async () => {
    const sink = await openLedger();
    const { warnings } = await runOnce(sink, editableSource([buildTask({ agent: 'Batu' })]).source, { autoExecute: false });
    expect(warnings).toEqual([{ stage: 'assignee', taskId: 't-1', message: expect.stringContaining('"Batu" is no agent of the council') }]);
    expect((await sink.getTask('t-1'))?.decision).toMatchObject({ agent: 'builder', reason: 'highest-score' });
    expect(await sink.corrections()).toEqual([]);
  });
});
