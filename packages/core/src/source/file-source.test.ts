import { appendFile, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../plugin.js';
import { describeSourceConformance, waitFor, type SourceTaskDraft } from '../testing/index.js';
import type { TaskInput } from '../task.js';
import type { Source, WriteBack } from './contract.js';
import { createFileSource, fileSource, fileSourceOptions, type FileSourceOptions } from './file-source.js';

/** A logger that keeps what it is told, so tests can read the problems a source reported. */
function recordingLogger() {
  const lines: { level: string; message: string }[] = [];
  const log = (level: string) => (message: string) => void lines.push({ level, message });
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  return { logger, warnings: () => lines.filter((line) => line.level === 'warn').map((line) => line.message) };
}

function sourceOn(path: string, options: Partial<FileSourceOptions> = {}, logger: Logger = recordingLogger().logger): Source {
  return createFileSource({ ...fileSourceOptions.parse({ path }), pollMs: 100, ...options }, logger);
}

async function readAll(source: Source, cursor?: string) {
  const tasks: TaskInput[] = [];
  const cursors: string[] = [];
  for await (const batch of source.read({ cursor, follow: false, signal: new AbortController().signal })) {
    tasks.push(...batch.tasks);
    cursors.push(batch.cursor);
  }
  return { tasks, cursors, ids: tasks.map((task) => task.id) };
}

async function lastWriteBack(statusFile: string, taskId: string): Promise<WriteBack['kind'] | undefined> {
  const text = await readFile(statusFile, 'utf8').catch(() => '');
  const updates = text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as WriteBack);
  return updates.filter((update) => update.taskId === taskId).at(-1)?.kind;
}

function conformanceOn(format: 'yaml' | 'jsonl') {
  return async () => {
    const folder = await mkdtemp(join(tmpdir(), `kurultai-file-source-${format}-`));
    const statusFile = join(folder, 'status.jsonl');
    const written: object[] = [];
    let next = 0;
    const source = sourceOn(folder, { statusFile });
    return {
      source,
      addTasks: async (drafts: readonly SourceTaskDraft[]) => {
        const added = drafts.map((draft) => ({ id: `task-${++next}`, ...draft }));
        written.push(...added);
        if (format === 'jsonl') {
          await appendFile(join(folder, 'tasks.jsonl'), added.map((task) => `${JSON.stringify(task)}\n`).join(''));
        } else {
          // As an editor saves: the whole file, swapped in at once.
          await writeFile(join(folder, 'tasks.yaml.saving'), stringify({ tasks: written }));
          await rename(join(folder, 'tasks.yaml.saving'), join(folder, 'tasks.yaml'));
        }
        return added.map((task) => task.id);
      },
      writtenBack: (taskId: string) => lastWriteBack(statusFile, taskId),
      dispose: () => rm(folder, { recursive: true, force: true }),
    };
  };
}

describeSourceConformance('file (a YAML file rewritten on each addition)', {
  createSource: conformanceOn('yaml'),
  redelivery: 'never',
});
describeSourceConformance('file (a JSON Lines file appended to)', { createSource: conformanceOn('jsonl'), redelivery: 'never' });

describe('file source', () => {
  let folder: string;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'kurultai-file-source-'));
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('reports a YAML entry without a title at its path:line:col and delivers the others', async () => {
    await writeFile(
      join(folder, 'tasks.yaml'),
      '- id: a\n  title: First\n- id: b\n  description: no title\n- id: c\n  title: Third\n',
    );
    const { logger, warnings } = recordingLogger();
    expect((await readAll(sourceOn(folder, {}, logger))).ids).toEqual(['a', 'c']);
    expect(warnings()).toEqual([expect.stringMatching(/^skipped: tasks\.yaml:3:3: title: /)]);
  });

  it('reports a misspelt key at the place of the entry', async () => {
    await writeFile(join(folder, 'tasks.yaml'), 'tasks:\n  - id: a\n    title: First\n    priorty: high\n');
    const { logger, warnings } = recordingLogger();
    expect((await readAll(sourceOn(folder, {}, logger))).ids).toEqual([]);
    expect(warnings()).toEqual([expect.stringContaining('tasks.yaml:2:5: task: Unrecognized key: "priorty"')]);
  });

  it('reports a priority outside the four at the place of the value', async () => {
    await writeFile(join(folder, 'tasks.yaml'), '- id: a\n  title: First\n  priority: urgent\n');
    const { logger, warnings } = recordingLogger();
    await readAll(sourceOn(folder, {}, logger));
    expect(warnings()).toEqual([expect.stringContaining('tasks.yaml:3:13: priority:')]);
  });

  it('reports a YAML syntax error with its place and delivers nothing from that file', async () => {
    await writeFile(join(folder, 'broken.yaml'), '- id: a\n  title: "unterminated\n');
    await writeFile(join(folder, 'fine.jsonl'), '{"id":"b","title":"Fine"}\n');
    const { logger, warnings } = recordingLogger();
    expect((await readAll(sourceOn(folder, {}, logger))).ids).toEqual(['b']);
    expect(warnings()).toEqual([expect.stringMatching(/^skipped: broken\.yaml:\d+:\d+: /)]);
  });

  it('reports a line that is not JSON with its line and column and delivers the others', async () => {
    await writeFile(join(folder, 'tasks.jsonl'), '{"id":"a","title":"First"}\n{"id":"b", title}\n\n{"id":"c","title":"Third"}\n');
    const { logger, warnings } = recordingLogger();
    expect((await readAll(sourceOn(folder, {}, logger))).ids).toEqual(['a', 'c']);
    expect(warnings()).toEqual([expect.stringMatching(/tasks\.jsonl:2:12: not a JSON task: /)]);
  });

  it('reports a repeated id with the place of its first use', async () => {
    await writeFile(join(folder, 'tasks.jsonl'), '{"id":"a","title":"First"}\n{"id":"a","title":"Again"}\n');
    const { logger, warnings } = recordingLogger();
    expect((await readAll(sourceOn(folder, {}, logger))).tasks.map((task) => task.title)).toEqual(['First']);
    expect(warnings()).toEqual([expect.stringContaining('tasks.jsonl:2:1: id a is already used at tasks.jsonl:1:1')]);
  });

  it('leaves alone a YAML mapping without tasks, such as the config file next to them', async () => {
    await writeFile(join(folder, 'kurultai.config.yaml'), 'source:\n  use: file\n');
    await writeFile(join(folder, 'tasks.yaml'), '- id: a\n  title: First\n');
    const { logger, warnings } = recordingLogger();
    expect((await readAll(sourceOn(folder, {}, logger))).ids).toEqual(['a']);
    expect(warnings()).toEqual([]);
  });

  it('refuses a YAML alias bomb instead of expanding it', async () => {
    const levels = Array.from({ length: 9 }, (_, i) => `l${i + 1}: &l${i + 1} [${Array(9).fill(`*l${i}`).join(', ')}]`);
    await writeFile(
      join(folder, 'bomb.yaml'),
      ['l0: &l0 lol', ...levels, 'tasks:', '  - id: a', '    title: *l9', ''].join('\n'),
    );
    const { logger, warnings } = recordingLogger();
    expect((await readAll(sourceOn(folder, {}, logger))).ids).toEqual([]);
    expect(warnings()).toEqual([expect.stringMatching(/^skipped: bomb\.yaml:\d+:\d+: .*alias/i)]);
  });

  it('skips a file larger than maxFileBytes, saying so', async () => {
    await writeFile(join(folder, 'huge.jsonl'), `${JSON.stringify({ id: 'a', title: 'x'.repeat(2000) })}\n`);
    const { logger, warnings } = recordingLogger();
    expect((await readAll(sourceOn(folder, { maxFileBytes: 1000 }, logger))).ids).toEqual([]);
    expect(warnings()).toEqual(['skipped: huge.jsonl: the file is larger than 1000 bytes']);
  });

  it('reads a number id as a string', async () => {
    await writeFile(join(folder, 'tasks.yaml'), '- id: 42\n  title: Numbered\n');
    expect((await readAll(sourceOn(folder))).ids).toEqual(['42']);
  });

  it('leaves a JSON line still being written for the next read, without reporting it', async () => {
    const file = join(folder, 'tasks.jsonl');
    await writeFile(file, '{"id":"a","title":"First"}\n{"id":"b","tit');
    const { logger, warnings } = recordingLogger();
    const source = sourceOn(folder, {}, logger);
    const first = await readAll(source);
    expect(first.ids).toEqual(['a']);
    await appendFile(file, 'le":"Second"}\n');
    expect((await readAll(source, first.cursors.at(-1))).ids).toEqual(['b']);
    expect(warnings()).toEqual([]);
  });

  it('delivers a file edited before its end whole again', async () => {
    const file = join(folder, 'tasks.jsonl');
    await writeFile(file, '{"id":"a","title":"First"}\n{"id":"b","title":"Second"}\n');
    const source = sourceOn(folder);
    const first = await readAll(source);
    await writeFile(file, '{"id":"z","title":"Inserted"}\n{"id":"a","title":"First"}\n{"id":"b","title":"Second"}\n');
    expect((await readAll(source, first.cursors.at(-1))).ids).toEqual(['z', 'a', 'b']);
  });

  it('splits a long file into batches, each with a cursor that resumes after it', async () => {
    const lines = Array.from({ length: 25 }, (_, i) => `${JSON.stringify({ id: `t${i}`, title: `Task ${i}` })}\n`);
    await writeFile(join(folder, 'tasks.jsonl'), lines.join(''));
    const source = sourceOn(folder, { batchSize: 10 });
    const first = await readAll(source);
    expect(first.ids).toHaveLength(25);
    expect(first.cursors).toHaveLength(3);
    expect((await readAll(source, first.cursors[1])).ids).toEqual(['t20', 't21', 't22', 't23', 't24']);
  });

  it('never reads its status file as tasks', async () => {
    const statusFile = join(folder, 'status.jsonl');
    const source = sourceOn(folder, { statusFile });
    await source.writeBack({ kind: 'completed', taskId: 'a', agent: 'builder', output: 'done' });
    const { logger, warnings } = recordingLogger();
    expect((await readAll(sourceOn(folder, { statusFile }, logger))).ids).toEqual([]);
    expect(warnings()).toEqual([]);
  });

  it('writes each write-back to the status file once, with its time', async () => {
    const statusFile = join(folder, 'status.jsonl');
    const source = sourceOn(folder, { statusFile });
    const update: WriteBack = { kind: 'failed', taskId: 'a', agent: 'builder', error: 'broke' };
    await Promise.all([
      source.writeBack(update),
      source.writeBack({ kind: 'in_progress', taskId: 'b', agent: 'builder', attempt: 1 }),
    ]);
    await source.writeBack(update);
    const lines = (await readFile(statusFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { at: string });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ ...update, at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });

  it('delivers a task file added to the folder while following', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const batch of sourceOn(folder).read({ cursor: undefined, follow: true, signal: controller.signal })) {
        seen.push(...batch.tasks.map((task) => task.id));
      }
    })();
    await writeFile(join(folder, 'later.jsonl'), '{"id":"late","title":"Arrived later"}\n');
    await waitFor('the new file to be read', async () => seen.includes('late'));
    controller.abort();
    await reading;
    expect(seen).toEqual(['late']);
  });

  it('reads a single task file named directly', async () => {
    await writeFile(join(folder, 'only.yaml'), '- id: a\n  title: First\n');
    await writeFile(join(folder, 'other.yaml'), '- id: b\n  title: Other\n');
    expect((await readAll(sourceOn(join(folder, 'only.yaml')))).ids).toEqual(['a']);
  });

  it('fails with the path when there is no task file or folder there', async () => {
    const missing = join(folder, 'missing');
    await expect(readAll(sourceOn(missing))).rejects.toMatchObject({ code: 'source_not_found', place: { file: missing } });
  });

  it('reads every file from the start, with a warning, when given a cursor it did not write', async () => {
    await writeFile(join(folder, 'tasks.yaml'), '- id: a\n  title: First\n');
    const { logger, warnings } = recordingLogger();
    expect((await readAll(sourceOn(folder, {}, logger), 'notion:2026-01-01')).ids).toEqual(['a']);
    expect(warnings()).toEqual([expect.stringContaining('not a file source cursor')]);
  });

  it("resolves its path against the config file's folder", async () => {
    await writeFile(join(folder, 'tasks.yaml'), '- id: a\n  title: First\n');
    const source = await fileSource.create(fileSourceOptions.parse({ path: '.', name: 'inbox' }), {
      logger: recordingLogger().logger,
      env: {},
      baseDir: folder,
    });
    expect((await readAll(source)).tasks).toEqual([{ id: 'a', title: 'First', source: 'inbox' }]);
  });
});
