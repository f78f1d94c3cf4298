import { isCollection, isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { z } from 'zod';
import { describeError, type Place, type Problem } from '../errors.js';
import { PRIORITIES, type Priority, type TaskInput } from '../task.js';
import { DEFAULT_MAX_ALIAS_COUNT } from '../yaml/parse-yaml.js';

/** A task as written in a task file: `source` is filled in by the source, and unknown keys are typos. */
const taskEntry = z.strictObject({
  id: z.union([z.string().trim().min(1), z.number().transform(String)]),
  title: z.string().trim().min(1),
  description: z.string().optional(),
  priority: z.enum(PRIORITIES as [Priority, ...Priority[]]).optional(),
  tags: z.array(z.string()).optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
});

/**
 * One entry of a task file, in file order. A bad entry keeps its place so that the cursor's count of entries stays true
 * when it is fixed later; `key` identifies the entry for the cursor's check that the file's start is unchanged.
 */
export type TaskFileEntry =
  | { readonly ok: true; readonly key: string; readonly task: Omit<TaskInput, 'source'>; readonly place: Place }
  | { readonly ok: false; readonly key: string; readonly problem: Problem };

/** What a file holds: its entries, or problems that make the whole file unreadable, or nothing for Kurultai. */
export type TaskFileContent =
  | { readonly kind: 'tasks'; readonly entries: readonly TaskFileEntry[] }
  | { readonly kind: 'unreadable'; readonly problems: readonly Problem[] }
  | { readonly kind: 'not-a-task-file' };

export type TaskFileFormat = 'yaml' | 'jsonl';

/** The format a file name says it has, or undefined for files the source does not read. */
export function taskFileFormat(fileName: string): TaskFileFormat | undefined {
  if (/\.ya?ml$/i.test(fileName)) return 'yaml';
  if (/\.(jsonl|ndjson)$/i.test(fileName)) return 'jsonl';
  return undefined;
}

/** Parses a task file's text. `file` is the path used in problems. */
export function parseTaskFile(file: string, text: string, format: TaskFileFormat): TaskFileContent {
  return format === 'yaml' ? parseYamlTasks(file, text) : parseJsonLinesTasks(file, text);
}

function checkEntry(value: unknown, placeOf: (path: readonly PropertyKey[]) => Place, fallbackKey: string): TaskFileEntry {
  const parsed = taskEntry.safeParse(value);
  if (parsed.success) {
    const { id, ...rest } = parsed.data;
    return { ok: true, key: id, task: { id, ...rest }, place: placeOf([]) };
  }
  const issue = parsed.error.issues[0];
  const path = issue?.path ?? [];
  const field = path.length === 0 ? 'task' : path.join('.');
  return {
    ok: false,
    key: fallbackKey,
    problem: { place: placeOf(path), message: `${field}: ${issue?.message ?? 'invalid task'}` },
  };
}

/**
 * A YAML task file is a list of tasks, or a mapping with a `tasks:` list. A mapping without `tasks` is some other file
 * (a `kurultai.config.yaml` or rules next to the tasks), not a task file.
 */
function parseYamlTasks(file: string, text: string): TaskFileContent {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return { file, line, column: col };
  };
  if (doc.errors.length > 0) {
    return {
      kind: 'unreadable',
      problems: doc.errors.map((error) => ({ place: at(error.pos[0]), message: error.message.split('\n')[0] ?? 'invalid YAML' })),
    };
  }
  if (doc.contents === null) return { kind: 'tasks', entries: [] };
  const list = isMap(doc.contents) ? doc.contents.get('tasks', true) : doc.contents;
  if (isMap(doc.contents) && list === undefined) return { kind: 'not-a-task-file' };
  if (!isSeq(list)) {
    const offset = (list as Node | undefined)?.range?.[0] ?? doc.contents.range?.[0] ?? 0;
    return { kind: 'unreadable', problems: [{ place: at(offset), message: 'expected a list of tasks (or a `tasks:` list)' }] };
  }
  let values: unknown[];
  try {
    // toJS counts aliases, so a YAML "billion laughs" is refused instead of expanded.
    const data = doc.toJS({ maxAliasCount: DEFAULT_MAX_ALIAS_COUNT }) as unknown[] | { tasks: unknown[] };
    values = Array.isArray(data) ? data : data.tasks;
  } catch (error) {
    return {
      kind: 'unreadable',
      problems: [{ place: at(list.range?.[0] ?? 0), message: describeError(error) }],
    };
  }
  const entries = list.items.map((item, index) => {
    const node = item as Node;
    const start = node.range?.[0] ?? 0;
    const placeOf = (path: readonly PropertyKey[]) => {
      const inner = isCollection(node) && path.length > 0 ? (node.getIn(path.map(String), true) as Node | undefined) : undefined;
      return at(inner?.range?.[0] ?? start);
    };
    return checkEntry(values[index], placeOf, `!${at(start).line}`);
  });
  return { kind: 'tasks', entries };
}

/**
 * A JSON Lines task file: one task per line, blank lines allowed. A last line without its newline that does not parse is
 * a line still being written, not a mistake: it is left for the next read.
 */
function parseJsonLinesTasks(file: string, text: string): TaskFileContent {
  const entries: TaskFileEntry[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const place = (column: number) => ({ file, line: index + 1, column });
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      if (index === lines.length - 1) return;
      const position = /position (\d+)/.exec(String(error))?.[1];
      const message = `not a JSON task: ${describeError(error)}`;
      entries.push({
        ok: false,
        key: `!${index + 1}`,
        problem: { place: place(position === undefined ? 1 : Number(position) + 1), message },
      });
      return;
    }
    const placeOf = (path: readonly PropertyKey[]) => {
      const column = path.length === 0 ? -1 : line.indexOf(JSON.stringify(String(path[0])));
      return place(column < 0 ? 1 : column + 1);
    };
    entries.push(checkEntry(value, placeOf, `!${index + 1}`));
  });
  return { kind: 'tasks', entries };
}
