import { councilFromText, fitRouting, KurultaiError, listRulesFolder, loadLabelledSet, selectSplit, type Correction, type LabelledExample } from '@kurultai/core';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { EXIT, UsageError, type Command } from '../command.js';
import { displayPath } from '../load-rules.js';
import { RULES_HELP, rulesFolder } from '../rules-folder.js';
import { CONFIG_HELP, withLedger } from './load-setup.js';

const FITTED_FILE = 'fitted.yaml';

export const fitCommand: Command = {
  name: 'fit',
  usage: '[--rules DIR] [--out FILE] [--split NAME] [--calibrate-on NAME] [--from-ledger [--config FILE]] [FILE...]',
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
  --from-ledger            also learn from the corrections recorded in the ledger (\`kurultai reassign\`, an agent
                           changed on the task's page): each corrected task with the agent it was moved to, the latest
                           correction of a task counting
${CONFIG_HELP}
${RULES_HELP}`,
  options: {
    rules: { type: 'string', short: 'r' },
    out: { type: 'string', short: 'o' },
    split: { type: 'string' },
    'calibrate-on': { type: 'string' },
    'from-ledger': { type: 'boolean' },
    config: { type: 'string', short: 'c' },
  },
  async run({ values, positionals }, context) {
    const fromLedger = values['from-ledger'] === true;
    if (positionals.length === 0 && !fromLedger) throw new UsageError('give at least one labelled FILE to learn from, or --from-ledger');
    const dir = rulesFolder(values['rules'], context.cwd);
    const out = typeof values['out'] === 'string' ? resolve(context.cwd, values['out']) : join(dir, FITTED_FILE);
    const rulesFiles = await handWrittenRules(dir, out);
    const hand = councilFromText(rulesFiles);
    if (!hand.ok) throw new KurultaiError('rules_invalid', 'the hand-written rules do not compile', { place: { file: displayPath(dir, context.cwd) }, problems: hand.problems });
    const agentIds = hand.council.agents.map((agent) => agent.id);
    const sets = await Promise.all(positionals.map((file) => loadLabelledSet(displayPath(resolve(context.cwd, file), context.cwd), agentIds)));
    const split = typeof values['split'] === 'string' ? values['split'] : undefined;
    const calibrateOn = typeof values['calibrate-on'] === 'string' ? values['calibrate-on'] : undefined;
    const corrected = fromLedger ? correctionExamples(await withLedger(context, values['config'], (sink) => sink.corrections()), agentIds) : [];
    const examples = [...sets.flatMap((set) => selectSplit(set, split)), ...corrected];
    if (examples.length === 0) throw new KurultaiError('fit_failed', 'nothing to learn from: the ledger holds no correction');
    const calibrationExamples = calibrateOn === undefined ? undefined : sets.flatMap((set) => selectSplit(set, calibrateOn));
    const sources = [...sets.map((set) => set.file), ...(fromLedger ? [`${corrected.length} corrections in the ledger`] : [])].join(', ');
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

/** ` in N fields` when every example names its field (as cross-validation by field then does), else nothing. */
function describeFields(examples: readonly LabelledExample[]): string {
  if (examples.some((example) => example.field === undefined)) return '';
  return ` in ${new Set(examples.map((example) => example.field)).size} fields`;
}

/**
 * The ledger's corrections as labelled examples: each corrected task, as its source delivered it, with the agent a person
 * moved it to. A task corrected twice counts once, with its latest correction; an agent the council no longer has is
 * left out.
 */
function correctionExamples(corrections: readonly Correction[], agentIds: readonly string[]): LabelledExample[] {
  const latest = new Map<string, Correction>();
  for (const correction of corrections) latest.set(correction.task.id, correction);
  return [...latest.values()]
    .filter((correction) => agentIds.includes(correction.to))
    .map(({ task, to }) => ({ title: task.title, expect: to, place: { taskId: task.id }, ...(task.description === undefined ? {} : { description: task.description }) }));
}
