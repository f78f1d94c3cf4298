import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDispatcher, createEchoSpawner, createSqliteSink, dispatcherSettingsSchema, loadCouncil, type Sink, type Source, type TaskInput } from '@kurultai/core';
import { afterEach, describe, expect, it } from 'vitest';
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

  it('redraws in place, moving the cursor up over the previous frame', () => {
    const frames: string[] = [];
    const dispatcher = { council: { agents: [] }, load: () => ({ running: 0, byAgent: {} }) } as unknown as ConstructorParameters<typeof LiveView>[0]['dispatcher'];
    const view = new LiveView({ write: (text) => frames.push(text), columns: () => 80, color: false, sink: {} as Sink, dispatcher });
    view.draw();
    view.draw();
    const firstLines = (frames[0] ?? '').split('\n').length - 1;
    expect(frames[1]?.startsWith(`\u001b[${firstLines}F\u001b[J`)).toBe(true);
  });
});
