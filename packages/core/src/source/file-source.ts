import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { appendFile, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { formatPlace, formatProblem, KurultaiError, type Problem } from '../errors.js';
import type { Logger } from '../plugin.js';
import type { TaskInput } from '../task.js';
import { defineSource, type Source, type SourceBatch, type SourceReadOptions, type WriteBack } from './contract.js';
import { decodeFileCursor, encodeFileCursor, EntryDigest, resumeIndex, type FileSourceCursor } from './file-source-cursor.js';
import { parseTaskFile, taskFileFormat, type TaskFileEntry } from './file-source-parse.js';

/** The `file` source's options (`source.with` in `kurultai.config.yaml`). */
export const fileSourceOptions = z.strictObject({
  path: z
    .string()
    .min(1)
    .describe("A task file (.yaml, .yml, .jsonl, .ndjson) or a folder of them, relative to the config file's folder."),
  name: z.string().min(1).default('file').describe("The source's name, written into each task's `source`."),
  pollMs: z.number().int().min(10).default(1000).describe('When following, how often files are checked besides file events.'),
  batchSize: z.number().int().min(1).default(500).describe('The most tasks in one batch.'),
  maxFileBytes: z
    .number()
    .int()
    .min(1)
    .default(64 * 1024 * 1024)
    .describe('Task files larger than this are reported and skipped.'),
  statusFile: z
    .string()
    .optional()
    .describe('A JSON Lines file each write-back (an assignment, a status) is appended to. Without it, write-backs are only logged.'),
});

export type FileSourceOptions = z.output<typeof fileSourceOptions>;

/**
 * Reads tasks from a YAML or JSON Lines file, or a folder of them, and with `follow` watches for tasks added later.
 *
 * A YAML task file is a list of tasks or a mapping with a `tasks:` list (other YAML files in the folder, such as
 * `kurultai.config.yaml`, are left alone); a JSON Lines file holds one task per line. Each task needs a stable `id` and a
 * `title`. Bad entries are reported through the logger with their `path:line:col` and skipped; the rest are delivered.
 * The cursor remembers how many entries of each file were delivered, so appending tasks and reading on delivers only the
 * new ones; a file edited before its end is delivered whole again, which the sink shrugs off.
 *
 * Each changed file is parsed whole. YAML suits hand-written lists; for large or machine-written backlogs use JSON Lines,
 * which parses about twenty times faster (100,000 tasks: under a second, against about fifteen seconds as YAML).
 */
export function createFileSource(options: FileSourceOptions, logger: Logger): Source {
  return new FileSource(options, logger);
}

/** A task file found under the watched path. */
interface TaskFile {
  readonly path: string;
  /** Its name in problems and in the cursor: relative to the watched folder. */
  readonly name: string;
}

class FileSource implements Source {
  readonly name: string;
  readonly #options: FileSourceOptions;
  readonly #logger: Logger;
  /** Digests of the write-back last written per task, so a repeated write-back is not written twice. */
  readonly #lastWriteBack = new Map<string, string>();
  #statusWrites: Promise<void> = Promise.resolve();

  constructor(options: FileSourceOptions, logger: Logger) {
    this.name = options.name;
    this.#options = options;
    this.#logger = logger;
  }

  async *read({ cursor, follow, signal }: SourceReadOptions): AsyncGenerator<SourceBatch> {
    const progress = this.#startingProgress(cursor);
    /** Each file's modification time and size when last read: unchanged files are not read again. */
    const versions = new Map<string, string>();
    yield* this.#scan(progress, versions);
    if (!follow) return;
    const changes = watchForChanges(await this.#watchedFolder(), this.#logger);
    try {
      while (!signal.aborted) {
        await changes.next(this.#options.pollMs, signal);
        if (signal.aborted) return;
        yield* this.#scan(progress, versions);
      }
    } finally {
      changes.close();
    }
  }

  async writeBack(update: WriteBack): Promise<void> {
    const line = JSON.stringify(update);
    const digest = createHash('sha256').update(line).digest('base64url');
    if (this.#lastWriteBack.get(update.taskId) === digest) return;
    const statusFile = this.#options.statusFile;
    if (statusFile === undefined) {
      this.#logger.info('task status changed', { taskId: update.taskId, status: update.kind, agent: update.agent });
    } else {
      // Appends are chained so that lines from concurrent write-backs never interleave.
      const written = this.#statusWrites.then(() =>
        appendFile(statusFile, `${JSON.stringify({ at: new Date().toISOString(), ...update })}\n`),
      );
      this.#statusWrites = written.catch(() => undefined);
      await written;
    }
    this.#lastWriteBack.set(update.taskId, digest);
  }

  #startingProgress(cursor: string | undefined): FileSourceCursor {
    if (cursor === undefined || cursor === '') return new Map();
    const decoded = decodeFileCursor(cursor);
    if (decoded === undefined)
      this.#logger.warn('the stored cursor is not a file source cursor; reading every file from the start');
    return decoded ?? new Map();
  }

  async *#scan(progress: FileSourceCursor, versions: Map<string, string>): AsyncGenerator<SourceBatch> {
    for (const file of await this.#taskFiles()) {
      const stats = await stat(file.path).catch(() => undefined);
      const version = stats === undefined ? undefined : `${stats.mtimeMs}:${stats.size}`;
      if (stats === undefined || versions.get(file.path) === version) continue;
      versions.set(file.path, version as string);
      if (stats.size > this.#options.maxFileBytes) {
        this.#report({ place: { file: file.name }, message: `the file is larger than ${this.#options.maxFileBytes} bytes` });
        continue;
      }
      const format = taskFileFormat(file.name);
      if (format === undefined) continue;
      const content = parseTaskFile(file.name, await readFile(file.path, 'utf8'), format);
      if (content.kind === 'not-a-task-file') {
        this.#logger.debug('not a task file (a mapping without `tasks:`); skipped', { file: file.name });
      } else if (content.kind === 'unreadable') {
        content.problems.forEach((problem) => this.#report(problem));
      } else {
        yield* this.#deliver(file, content.entries, progress);
      }
    }
  }

  async *#deliver(file: TaskFile, entries: readonly TaskFileEntry[], progress: FileSourceCursor): AsyncGenerator<SourceBatch> {
    const keys = entries.map((entry) => entry.key);
    const done = progress.get(file.name);
    const start = resumeIndex(keys, done);
    if (start === 0 && done !== undefined && done.entries > 0) {
      this.#logger.info('task file changed before its end; delivering it whole again', { file: file.name });
    }
    const digest = new EntryDigest();
    keys.slice(0, start).forEach((key) => digest.add(key));
    const firstPlaces = new Map<string, string>();
    for (let from = start; from < entries.length; from += this.#options.batchSize) {
      const tasks: TaskInput[] = [];
      const chunk = entries.slice(from, from + this.#options.batchSize);
      for (const entry of chunk) {
        digest.add(entry.key);
        if (!entry.ok) {
          this.#report(entry.problem);
          continue;
        }
        const first = firstPlaces.get(entry.task.id);
        if (first !== undefined) {
          this.#report({ place: entry.place, message: `id ${entry.task.id} is already used at ${first}` });
          continue;
        }
        firstPlaces.set(entry.task.id, formatPlace(entry.place));
        tasks.push({ ...entry.task, source: this.name });
      }
      progress.set(file.name, { entries: from + chunk.length, digest: digest.value() });
      yield { tasks, cursor: encodeFileCursor(progress) };
    }
  }

  #report(problem: Problem): void {
    this.#logger.warn(`skipped: ${formatProblem(problem)}`, { place: problem.place });
  }

  /** The task files under the watched path, by name. The status file is never one of them. */
  async #taskFiles(): Promise<readonly TaskFile[]> {
    const path = this.#options.path;
    const stats = await stat(path).catch((cause: unknown) => {
      throw new KurultaiError('source_not_found', `no task file or folder at ${path}`, {
        place: { file: path, plugin: this.name },
        cause,
      });
    });
    if (stats.isFile()) return [{ path, name: basename(path) }];
    const statusFile = this.#options.statusFile === undefined ? undefined : resolve(this.#options.statusFile);
    return (await readdir(path))
      .filter((name) => taskFileFormat(name) !== undefined && resolve(path, name) !== statusFile)
      .sort()
      .map((name) => ({ path: join(path, name), name }));
  }

  async #watchedFolder(): Promise<string> {
    const path = this.#options.path;
    return (await stat(path)).isDirectory() ? path : dirname(path);
  }
}

/**
 * Wakes the follow loop when the watched folder changes, and at least every `pollMs` in any case: file events are quick
 * but not promised everywhere (network file systems, exhausted inotify watches), so polling is the safety net.
 */
function watchForChanges(folder: string, logger: Logger) {
  let wake: (() => void) | undefined;
  let changed = false;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(folder, () => {
      changed = true;
      wake?.();
    });
    watcher.on('error', () => watcher?.close());
  } catch (error) {
    logger.debug('file events unavailable; polling only', { folder, error: String(error) });
  }
  return {
    async next(pollMs: number, signal: AbortSignal): Promise<void> {
      if (changed || signal.aborted) {
        changed = false;
        return;
      }
      await new Promise<void>((done) => {
        const finish = (): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', finish);
          wake = undefined;
          done();
        };
        const timer = setTimeout(finish, pollMs);
        signal.addEventListener('abort', finish, { once: true });
        wake = finish;
      });
      changed = false;
    },
    close: () => watcher?.close(),
  };
}

/** The built-in `file` source. `path` and `statusFile` are resolved against the config file's folder. */
export const fileSource = defineSource({
  name: 'file',
  options: fileSourceOptions,
  create: (options, context) =>
    createFileSource(
      {
        ...options,
        path: resolve(context.baseDir, options.path),
        ...(options.statusFile === undefined ? {} : { statusFile: resolve(context.baseDir, options.statusFile) }),
      },
      context.logger,
    ),
});
