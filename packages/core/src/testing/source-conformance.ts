import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Source, SourceBatch, WriteBack } from '../source/contract.js';
import type { Priority, TaskInput } from '../task.js';
import { waitFor } from './conformance-fixtures.js';

/** A task as the suite asks the harness to add it; the backing store gives it its id. */
export interface SourceTaskDraft {
  readonly title: string;
  readonly description: string;
  readonly priority: Priority;
  readonly tags: readonly string[];
}

/** A source under test on its own, empty backing store. */
export interface SourceUnderTest {
  readonly source: Source;
  /** Adds tasks to the backing store as a user would (lines in a file, pages in a database); answers their ids, in order. */
  addTasks(tasks: readonly SourceTaskDraft[]): Promise<readonly string[]>;
  /** The status the backing store shows for a task after write-backs: the last kind written back, or undefined. */
  writtenBack(taskId: string): Promise<WriteBack['kind'] | undefined>;
  /** Closes the source and frees the store. */
  dispose(): Promise<void>;
}

/** What a source plugin hands the source conformance suite. */
export interface SourceConformanceHarness {
  /** A source on a fresh, empty backing store. */
  createSource(): Promise<SourceUnderTest>;
  /**
   * What a read resumed from the last batch's cursor may deliver again: `never` anything already delivered, or a
   * `documented-overlap` (a source that re-reads a time window, as it documents); new tasks must come either way.
   */
  readonly redelivery: 'never' | 'documented-overlap';
  /** How long the suite waits for a task added while following, in milliseconds. Default 15 000. */
  readonly followDeadlineMs?: number;
}

/** Everything one read delivered, and the last cursor. */
interface ReadResult {
  readonly tasks: readonly TaskInput[];
  readonly cursor: string | undefined;
}

async function readToEnd(source: Source, cursor: string | undefined): Promise<ReadResult> {
  const tasks: TaskInput[] = [];
  let last = cursor;
  for await (const batch of source.read({ cursor, follow: false, signal: new AbortController().signal })) {
    tasks.push(...batch.tasks);
    last = batch.cursor;
  }
  return { tasks, cursor: last };
}

function drafts(count: number, label: string): SourceTaskDraft[] {
  return Array.from({ length: count }, (_, i) => ({
    title: `${label} task ${i + 1}`,
    description: `Details of ${label} task ${i + 1}`,
    priority: i % 2 === 0 ? 'high' : 'low',
    tags: ['conformance', label],
  }));
}

const ids = (tasks: readonly TaskInput[]): string[] => tasks.map((task) => task.id);

/**
 * The source conformance suite: every source, built-in or third-party, runs it against itself to show that it delivers
 * tasks with stable ids, resumes from its cursor, ends when not following, follows until aborted, and accepts write-backs
 * idempotently.
 */
export function describeSourceConformance(name: string, harness: SourceConformanceHarness): void {
  const followDeadlineMs = harness.followDeadlineMs ?? 15_000;

  describe(`source conformance: ${name}`, () => {
    let subject: SourceUnderTest;

    beforeEach(async () => {
      subject = await harness.createSource();
    });

    afterEach(async () => {
      await subject.dispose();
    });

    it('delivers every task of its store and then ends, when not following', async () => {
      const added = await subject.addTasks(drafts(3, 'first'));
      const { tasks } = await readToEnd(subject.source, undefined);
      expect(ids(tasks).sort()).toEqual([...added].sort());
    });

    it('ends at once on an empty store, when not following', async () => {
      const { tasks } = await readToEnd(subject.source, undefined);
      expect(tasks).toEqual([]);
    });

    it("carries each task's title, description, priority and tags, and names itself as the source", async () => {
      const [draft] = drafts(1, 'detailed');
      const [id] = await subject.addTasks([draft as SourceTaskDraft]);
      const { tasks } = await readToEnd(subject.source, undefined);
      expect(tasks).toEqual([
        expect.objectContaining({
          id,
          source: subject.source.name,
          title: draft?.title,
          description: draft?.description,
          priority: 'high',
        }),
      ]);
      expect(tasks[0]?.tags).toEqual(expect.arrayContaining(['conformance', 'detailed']));
    });

    it('gives a task the same id on every read', async () => {
      await subject.addTasks(drafts(3, 'stable'));
      const first = await readToEnd(subject.source, undefined);
      const second = await readToEnd(subject.source, undefined);
      const byId = (tasks: readonly TaskInput[]) => Object.fromEntries(tasks.map((task) => [task.id, task.title]));
      expect(byId(second.tasks)).toEqual(byId(first.tasks));
    });

    it('resumes from the last cursor: tasks added since are delivered, earlier ones only as documented', async () => {
      const earlier = await subject.addTasks(drafts(2, 'earlier'));
      const first = await readToEnd(subject.source, undefined);
      expect(first.cursor).toBeDefined();
      const later = await subject.addTasks(drafts(2, 'later'));
      const resumed = await readToEnd(subject.source, first.cursor);
      expect(ids(resumed.tasks)).toEqual(expect.arrayContaining([...later]));
      if (harness.redelivery === 'never') expect(ids(resumed.tasks).filter((id) => earlier.includes(id))).toEqual([]);
    });

    it('delivers nothing new when resumed from the last cursor with nothing added', async () => {
      const added = await subject.addTasks(drafts(2, 'settled'));
      const first = await readToEnd(subject.source, undefined);
      const resumed = await readToEnd(subject.source, first.cursor);
      const unexpected = ids(resumed.tasks).filter((id) => harness.redelivery === 'never' || !added.includes(id));
      expect(unexpected).toEqual([]);
    });

    it('delivers tasks added while following, and returns once aborted', async () => {
      const [before] = await subject.addTasks(drafts(1, 'before'));
      const controller = new AbortController();
      const seen: string[] = [];
      const reading = (async () => {
        const batches: SourceBatch[] = [];
        for await (const batch of subject.source.read({ cursor: undefined, follow: true, signal: controller.signal })) {
          batches.push(batch);
          seen.push(...ids(batch.tasks));
        }
        return batches;
      })();
      await waitFor('the task added before following', async () => seen.includes(before as string), followDeadlineMs);
      const [during] = await subject.addTasks(drafts(1, 'during'));
      await waitFor('the task added while following', async () => seen.includes(during as string), followDeadlineMs);
      controller.abort();
      const batches = await reading;
      expect(batches.length).toBeGreaterThan(0);
    });

    it('returns promptly when aborted while following a store with nothing new', async () => {
      const controller = new AbortController();
      const reading = (async () => {
        for await (const _batch of subject.source.read({ cursor: undefined, follow: true, signal: controller.signal })) {
          // Nothing to deliver; the suite only waits for the read to end.
        }
        return 'ended';
      })();
      setTimeout(() => controller.abort(), 200);
      await expect(reading).resolves.toBe('ended');
    });

    it('accepts each kind of write-back, and the store shows the latest', async () => {
      const [id] = await subject.addTasks(drafts(1, 'written'));
      const taskId = id as string;
      await subject.source.writeBack({ kind: 'in_progress', taskId, agent: 'researcher', attempt: 1 });
      expect(await subject.writtenBack(taskId)).toBe('in_progress');
      await subject.source.writeBack({ kind: 'failed', taskId, agent: 'researcher', error: 'The agent gave up' });
      expect(await subject.writtenBack(taskId)).toBe('failed');
      await subject.source.writeBack({ kind: 'completed', taskId, agent: 'researcher', output: 'Summary: **done**' });
      expect(await subject.writtenBack(taskId)).toBe('completed');
    });

    it('accepts the write-back of an assignment, and the status written back after it shows', async () => {
      const [id] = await subject.addTasks(drafts(1, 'assigned'));
      const taskId = id as string;
      await subject.source.writeBack({ kind: 'assigned', taskId, agent: 'researcher', agentName: 'Researcher' });
      await subject.source.writeBack({ kind: 'in_progress', taskId, agent: 'researcher', attempt: 1 });
      expect(await subject.writtenBack(taskId)).toBe('in_progress');
    });

    it('tolerates the same write-back twice', async () => {
      const [id] = await subject.addTasks(drafts(1, 'twice'));
      const update: WriteBack = { kind: 'completed', taskId: id as string, agent: 'builder', output: 'Built it.' };
      await subject.source.writeBack(update);
      await subject.source.writeBack(update);
      expect(await subject.writtenBack(id as string)).toBe('completed');
    });
  });
}
