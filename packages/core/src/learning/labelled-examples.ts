import { readFile } from 'node:fs/promises';
import { KurultaiError, type Place, type Problem } from '../errors.js';
import { loadYamlFile } from '../yaml/load-yaml.js';
import { examplesFileSchema } from '../router/schema.js';

/** A task whose right agent is known: from an examples file, a labelled corpus, or a correction in the ledger. */
export interface LabelledExample {
  readonly title: string;
  readonly description?: string;
  /** The agent the task belongs to. */
  readonly expect: string;
  /** The team or field the title comes from; cross-validation keeps a field's examples in one fold. */
  readonly field?: string;
  /** The corpus split the example belongs to (`train`, `dev`, `test`), when the file has one. */
  readonly split?: string;
  /** Where the example was read, for reports. */
  readonly place: Place;
}

/** A labelled file read whole, with the accuracy it asks for (examples files set `min_accuracy`). */
export interface LabelledSet {
  readonly file: string;
  readonly examples: readonly LabelledExample[];
  readonly minAccuracy?: number;
}

/** The TSV columns a labelled file may have; `title` (or `text`) and `expect` (or `agent`) are required. */
const TSV_COLUMNS = { title: ['title', 'text'], expect: ['expect', 'agent'], description: ['description'], field: ['field'], split: ['split'] } as const;

/**
 * Reads labelled examples from an examples YAML file (`examples: [{text, expect}]`) or a TSV file with a header line
 * (columns `title`, `expect`, and optional `description`, `field`, `split`; others are ignored). Every label is checked
 * against the council's agents, and every problem is reported at its place.
 */
export async function loadLabelledSet(file: string, agentIds: readonly string[]): Promise<LabelledSet> {
  const set = /\.tsv$/i.test(file) ? await readTsv(file) : await readExamplesYaml(file);
  const problems: Problem[] = set.examples.flatMap((example) =>
    agentIds.includes(example.expect) ? [] : [{ place: example.place, message: `unknown agent "${example.expect}"; the council has ${agentIds.join(', ')}` }],
  );
  if (problems.length > 0) throw invalidExamples(file, problems);
  return set;
}

async function readExamplesYaml(file: string): Promise<LabelledSet> {
  const load = await loadYamlFile(file, examplesFileSchema);
  if (!load.ok) throw invalidExamples(file, load.problems);
  const examples = load.value.examples.map((example, index) => ({
    title: example.text,
    expect: example.expect,
    place: load.document.placeOf(['examples', index, 'expect']),
  }));
  return { file, examples, minAccuracy: load.value.min_accuracy };
}

async function readTsv(file: string): Promise<LabelledSet> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await readFile(file));
  } catch (error) {
    throw new KurultaiError('examples_invalid', error instanceof TypeError ? 'not UTF-8 text' : `cannot read file: ${String(error)}`, { place: { file } });
  }
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split('\t').map((name) => name.trim().toLowerCase());
  const column = (names: readonly string[]) => header.findIndex((name) => names.includes(name));
  const at = { title: column(TSV_COLUMNS.title), expect: column(TSV_COLUMNS.expect), description: column(TSV_COLUMNS.description), field: column(TSV_COLUMNS.field), split: column(TSV_COLUMNS.split) };
  if (at.title < 0 || at.expect < 0) {
    throw new KurultaiError('examples_invalid', 'the first line must name the columns, with "title" and "expect" among them', { place: { file, line: 1, column: 1 } });
  }
  const problems: Problem[] = [];
  const examples: LabelledExample[] = [];
  for (const [index, line] of lines.entries()) {
    if (index === 0 || line.trim() === '') continue;
    const cells = line.split('\t');
    const cell = (position: number) => (position < 0 ? '' : (cells[position] ?? '').trim());
    const place = { file, line: index + 1, column: 1 };
    const title = cell(at.title);
    const expect = cell(at.expect);
    if (title === '' || expect === '') {
      problems.push({ place, message: `a ${title === '' ? 'title' : 'label'} is missing` });
      continue;
    }
    const optional = { description: cell(at.description), field: cell(at.field), split: cell(at.split) };
    examples.push({
      title,
      expect,
      place,
      ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== '')),
    });
  }
  if (problems.length > 0) throw invalidExamples(file, problems);
  if (examples.length === 0) throw new KurultaiError('examples_invalid', 'no examples in the file', { place: { file } });
  return { file, examples };
}

function invalidExamples(file: string, problems: readonly Problem[]): KurultaiError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new KurultaiError('examples_invalid', `${count} in the labelled examples`, { place: { file }, problems });
}

/** The examples of one split, or all of them when no split is named. Naming a split the file lacks is an error. */
export function selectSplit(set: LabelledSet, split: string | undefined): readonly LabelledExample[] {
  if (split === undefined) return set.examples;
  const chosen = set.examples.filter((example) => example.split === split);
  if (chosen.length === 0) {
    const known = [...new Set(set.examples.flatMap((example) => (example.split === undefined ? [] : [example.split])))];
    throw new KurultaiError('examples_invalid', `no examples in split "${split}"; the file has ${known.length === 0 ? 'no split column' : known.join(', ')}`, {
      place: { file: set.file },
    });
  }
  return chosen;
}
