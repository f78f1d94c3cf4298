import { councilFromText, fitRouting, KurultaiError, listRulesFolder, loadLabelledSet, selectSplit, type LabelledExample } from '@kurultai/core';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { EXIT, UsageError, type Command } from '../command.js';
import { displayPath } from '../load-rules.js';
import { RULES_HELP, rulesFolder } from '../rules-folder.js';

const FITTED_FILE = 'fitted.yaml';

export const fitCommand: Command = {
  name: 'fit',
  usage: '[--rules DIR] [--out FILE] [--split NAME] [--calibrate-on NAME] FILE...',
  summary: 'learn word and phrase weights per agent from labelled examples and write them as a rules file',
  description: `Learns, from the labelled examples in FILE... (examples YAML files, or TSV files with a header naming the
columns title, expect and optionally description, field and split), how much each word and phrase points to each
agent, on top of the hand-written rules of the rules folder, and writes the weights as a rules file that routing
reads like any other (default: ${FITTED_FILE} in the rules folder). Prints the accuracy before (hand-written rules
alone) and after (cross-validated: each fold's examples are routed by weights fitted without them; folds keep each
field together when the examples name their field). The same examples always give the same file.

  -o, --out FILE           where to write the fitted rules (default: DIR/${FITTED_FILE}); it is left out of the rules fitted on
  --split NAME             learn only from rows of a TSV whose split column is NAME (e.g. train)
  --calibrate-on NAME      fit the confidence temperature on the rows of split NAME (e.g. dev); without it, on the
                           cross-validation's held-out predictions
${RULES_HELP}`,
  options: {
    rules: { type: 'string', short: 'r' },
    out: { type: 'string', short: 'o' },
    split: { type: 'string' },
    'calibrate-on': { type: 'string' },
  },
  async run({ values, positionals }, context) {
    if (positionals.length === 0) throw new UsageError('give at least one labelled FILE to learn from');
    const dir = rulesFolder(values['rules'], context.cwd);
    const out = typeof values['out'] === 'string' ? resolve(context.cwd, values['out']) : join(dir, FITTED_FILE);
    const rulesFiles = await handWrittenRules(dir, out);
    const hand = councilFromText(rulesFiles);
    if (!hand.ok) throw new KurultaiError('rules_invalid', 'the hand-written rules do not compile', { place: { file: displayPath(dir, context.cwd) }, problems: hand.problems });
    const agentIds = hand.council.agents.map((agent) => agent.id);
    const sets = await Promise.all(positionals.map((file) => loadLabelledSet(displayPath(resolve(context.cwd, file), context.cwd), agentIds)));
    const split = typeof values['split'] === 'string' ? values['split'] : undefined;
    const calibrateOn = typeof values['calibrate-on'] === 'string' ? values['calibrate-on'] : undefined;
    const examples = sets.flatMap((set) => selectSplit(set, split));
    const calibrationExamples = calibrateOn === undefined ? undefined : sets.flatMap((set) => selectSplit(set, calibrateOn));
    const sources = sets.map((set) => set.file).join(', ');
    const result = fitRouting({
      rulesFiles,
      fittedFileName: displayPath(out, context.cwd),
      examples,
      ...(calibrationExamples === undefined ? {} : { calibrationExamples }),
      provenance: [
        `Fitted by \`kurultai fit\` from ${examples.length} labelled examples (${sources}${split === undefined ? '' : `, split ${split}`}).`,
        calibrateOn === undefined ? 'Temperature fitted on the cross-validation\'s held-out predictions.' : `Temperature fitted on split ${calibrateOn} (${calibrationExamples?.length ?? 0} examples).`,
      ],
    });
    await writeFile(out, result.text);
    const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
    const folds = `${result.folds} folds${result.foldsByField ? ' by field' : ''}`;
    context.stdout(`learned from ${examples.length} examples${describeFields(examples)}: ${result.keywordCount} weighted words and phrases\n`);
    context.stdout(`accuracy before (hand-written rules): ${percent(result.accuracyBefore)}\n`);
    context.stdout(`accuracy after (cross-validated, ${folds}): ${percent(result.crossValidatedAccuracy)}\n`);
    context.stdout(`L2 penalty ${result.l2}, chosen by the cross-validation\n`);
    context.stdout(`confidence temperature ${result.temperature}${calibrationExamples === undefined ? '' : ` (fitted on ${calibrationExamples.length} examples of split ${calibrateOn})`}\n`);
    context.stdout(`wrote ${displayPath(out, context.cwd)}\n`);
    return EXIT.ok;
  },
};

/** The folder's agents file and routing files, less the fitted file itself, by name: what the weights learn on top of. */
async function handWrittenRules(dir: string, out: string): Promise<Record<string, string>> {
  const folder = await listRulesFolder(dir);
  const files: Record<string, string> = {};
  for (const file of [...folder.agents, ...folder.routing]) {
    if (resolve(file) !== resolve(out)) files[basename(file)] = await readFile(file, 'utf8');
  }
  return files;
}

function describeFields(examples: readonly LabelledExample[]): string {
  const fields = new Set(examples.flatMap((example) => (example.field === undefined ? [] : [example.field])));
  return fields.size === 0 ? '' : ` in ${fields.size} fields`;
}
