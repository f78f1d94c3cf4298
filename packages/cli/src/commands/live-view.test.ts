import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDispatcher, createEchoSpawner, createJsonLogger, createSqliteSink, dispatcherSettingsSchema, loadCouncil, Secrets, type Sink, type Source, type TaskInput } from '@kurultai/core';
import { sampleDecision } from '@kurultai/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { LatestMessages } from './latest-messages.js';
import { LiveView } from './live-view.js';

const RULES = fileURLToPath(new URL('../../../../rules/', import.meta.url));

const folders: string[] = [];
const sinks: Sink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** Runs the tasks once on a sqlite ledger and the echo spawner with a live view listening; answers what it drew last. */
async function drawnAfter(tasks: readonly TaskInput[]): Promise<string> {
  const folder = mkdtempSync(join(tmpdir(), 'kurultai-view-'));
  folders.push(folder);
  const sink = createSqliteSink({ path: join(folder, 'ledger.db'), busyTimeoutMs: 5000, batchWrites: true, synchronous: 'normal' });
  sinks.push(sink);
  await sink.init();
  const source: Source = { name: 'inbox', async *read() { yield { tasks, cursor: 'end' }; }, async writeBack() {} };
  const settings = dispatcherSettingsSchema.parse({ pollSeconds: 0.02 });
  const dispatcher = createDispatcher({ source, sink, spawner: createEchoSpawner({ delayMs: 0, reply: 'ok' }), council: await loadCouncil(RULES), settings });
  const frames: string[] = [];
  const view = new LiveView({ write: (text) => frames.push(text), columns: () => 120, color: false, sink, dispatcher, refreshMs: 20 });
  dispatcher.listen(view);
  view.start();
  await dispatcher.runOnce();
  // The view reads the ledger's counts on each refresh; wait for a frame that has the run's outcome.
  await expect.poll(() => frames.at(-1) ?? '', { timeout: 5_000, interval: 20 }).toMatch(new RegExp(`completed ${tasks.length}`));
  await view.stop('done');
  return frames.at(-1) ?? '';
}

describe('LiveView', () => {
  it('shows tasks by status, each agent, throughput and the latest decisions with their explanation', async () => {
    const frame = await drawnAfter([
      { id: 'v-1', title: 'Research vector databases for semantic search', source: 'inbox' },
      { id: 'v-2', title: 'Implement the OAuth login flow', source: 'inbox' },
    ]);
    expect(frame).toMatch(/tasks +pending 0 +assigned 0 +in_progress 0 +retrying 0 +completed 2 +failed 0/);
    expect(frame).toMatch(/throughput \d+\.\d tasks\/s/);
    expect(frame).toMatch(/Möngke +running 0/);
    expect(frame).toContain('Implement the OAuth login flow → temujin (implementation, score');
    expect(frame.trimEnd().endsWith('done')).toBe(true);
  });

  it('never lets a task title drive the terminal', async () => {
    const frame = await drawnAfter([{ id: 'v-evil', title: 'Research \u001b[2J\u001b]0;owned\u0007 caches \u202eevil', source: 'inbox' }]);
    expect(frame).toContain('Research ?[2J?]0;owned? caches ?evil');
    expect(frame).not.toContain('\u001b[2J');
    expect(frame).not.toContain('\u202e');
  });

  it('lists an assignee that names no agent of the council among the problems, naming the task', async () => {
    const frame = await drawnAfter([{ id: 'v-3', title: 'Implement the OAuth login flow', source: 'inbox', assignee: { agent: 'Batu' } }]);
    expect(frame).toMatch(/latest problems\n {2}v-3: the assignee "Batu" is no agent of the council; the task stays with temujin/);
  });

  it('redraws in place, moving the cursor up over the previous frame', () => {
    const frames: string[] = [];
    const view = new LiveView({ write: (text) => frames.push(text), columns: () => 80, color: false, sink: {} as Sink, dispatcher: IDLE_DISPATCHER });
    view.draw();
    view.draw();
    const firstLines = (frames[0] ?? '').split('\n').length - 1;
    expect(frames[1]?.startsWith(`\u001b[${firstLines}F\u001b[J`)).toBe(true);
  });

  it("shows the plugins' warnings and errors, redacted, under latest messages, newest first, and leaves debug and info out", () => {
    const messages = new LatestMessages();
    const logger = pluginLogger(messages, 'ntn_s3cret_token');
    logger.debug('polling the data source');
    logger.info('reading tasks from Notion');
    logger.warn('Notion asked to slow down; every request waits', { waitMs: 1000 });
    logger.error('the token ntn_s3cret_token was refused');
    expect(messageLines(drawOnce(messages))).toEqual([
      'error notion: the token [redacted] was refused',
      'warn notion: Notion asked to slow down; every request waits (waitMs=1000)',
    ]);
  });

  it("shows an orchestrator's choice with its rationale among the latest decisions", () => {
    const { view, frame } = viewOnItsOwn();
    const decision = { ...sampleDecision('jochi'), type: 'testing', reason: 'orchestrator' as const, rationale: 'It is about verifying the page.' };
    view.onTaskStatus?.({ taskId: 't-1', agent: 'jochi', attempt: 1, at: new Date(), to: 'assigned', title: 'Build and test the login page', decision });
    expect(frame()).toContain('Build and test the login page → jochi (testing, chosen by the orchestrator agent: "It is about verifying the page.")');
  });

  it("shows among the problems why an orchestrator's answer was not used", () => {
    const { view, frame } = viewOnItsOwn();
    view.onFallback?.({ outcome: 'kept', taskId: 't-1', ask: 'kublai', rulesAgent: 'temujin', confidence: 0.42, cause: 'timeout', error: 'no answer within 60s', durationMs: 60_000 });
    expect(frame()).toContain("latest problems\n  t-1: orchestrator kublai timeout (no answer within 60s); the rules' temujin stands");
  });

  it("never lets a plugin's message drive the terminal", () => {
    const messages = new LatestMessages();
    pluginLogger(messages, 'unused-secret').warn('skipped a page titled \u001b[2Jowned', { title: '\u202eevil' });
    expect(messageLines(drawOnce(messages))).toEqual(['warn notion: skipped a page titled ?[2Jowned (title=?evil)']);
  });
});

/** A dispatcher with no agents and nothing running: enough for a view that is only drawn. */
const IDLE_DISPATCHER = { council: { agents: [] }, load: () => ({ running: 0, byAgent: {} }) } as unknown as ConstructorParameters<typeof LiveView>[0]['dispatcher'];

/** The redacting logger `kurultai run` hands a plugin, writing into the live view's messages. */
function pluginLogger(messages: LatestMessages, secret: string) {
  const secrets = new Secrets();
  secrets.add(secret);
  return createJsonLogger({ write: messages.write, secrets, level: 'debug' }).child({ plugin: 'notion' });
}

/** A view that nothing runs: events are handed to it directly, and `frame` draws it. */
function viewOnItsOwn() {
  const frames: string[] = [];
  const view = new LiveView({ write: (text) => frames.push(text), columns: () => 160, color: false, sink: {} as Sink, dispatcher: IDLE_DISPATCHER });
  return { view, frame: () => (view.draw(), frames.at(-1) ?? '') };
}

function drawOnce(messages: LatestMessages): string {
  const frames: string[] = [];
  new LiveView({ write: (text) => frames.push(text), columns: () => 120, color: false, sink: {} as Sink, dispatcher: IDLE_DISPATCHER, messages }).draw();
  return frames.join('');
}

/** The lines under "latest messages", without their time of day. */
function messageLines(frame: string): string[] {
  const lines = frame.split('\n');
  return lines.slice(lines.indexOf('latest messages') + 1).filter((line) => line !== '').map((line) => line.replace(/^ {2}\d\d:\d\d:\d\d /, ''));
}
