import { evaluateRouting, loadLabelledSet, selectSplit, type AgentPersona, type RoutingEvaluation, type RoutingMiss } from '@kurultai/core';
import { join, resolve } from 'node:path';
import { EXIT, UsageError, type Command } from '../command.js';
import { agentName, describeHit } from '../describe-decision.js';
import { displayPath, loadRules } from '../load-rules.js';
import { paint } from '../paint.js';
import { RULES_HELP, rulesFolder } from '../rules-folder.js';

export const testCommand: Command = {
  name: 'test',
  usage: '[--rules DIR] [--split NAME] [--min-accuracy N] [--misses] [--json] [FILE]',
  summary: 'route labelled examples and report accuracy, precision and recall, confusion and calibration',
  description: `Routes every example of FILE (default: examples.yaml in the rules folder; an examples YAML file, or a TSV file with
a header naming the columns title, expect and optionally description, field and split) and reports the accuracy, each
agent's precision and recall, the confusion matrix, the share that matched no rule, and how well the confidence is
calibrated (expected calibration error over 10 bins). Exits 1 when the accuracy is below the required one: the
examples file's min_accuracy, or --min-accuracy.

  --split NAME        route only the rows of a TSV whose split column is NAME (e.g. test)
  --min-accuracy N    the accuracy required, from 0 to 1 (default: the file's min_accuracy, else none)
  --misses            list every miss with its explanation (the default for examples YAML files)
  --json              print the whole report as one JSON object
${RULES_HELP}`,
  options: {
    rules: { type: 'string', short: 'r' },
    split: { type: 'string' },
    'min-accuracy': { type: 'string' },
    misses: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run({ values, positionals }, context) {
    const dir = rulesFolder(values['rules'], context.cwd);
    const council = await loadRules(dir, context.cwd);
    const file = displayPath(positionals[0] === undefined ? join(dir, 'examples.yaml') : resolve(context.cwd, positionals[0]), context.cwd);
    const set = await loadLabelledSet(file, council.agents.map((agent) => agent.id));
    const examples = selectSplit(set, typeof values['split'] === 'string' ? values['split'] : undefined);
    const required = typeof values['min-accuracy'] === 'string' ? parseShare(values['min-accuracy']) : set.minAccuracy;
    const report = evaluateRouting(council, examples);
    const passed = required === undefined || report.accuracy >= required;
    if (values['json'] === true) {
      context.stdout(`${JSON.stringify({ file, ...summarise(report), required: required ?? null, passed })}\n`);
      return passed ? EXIT.ok : EXIT.failed;
    }
    const showMisses = values['misses'] === true || set.minAccuracy !== undefined;
    if (showMisses) for (const miss of report.misses) context.stdout(describeMiss(miss, council.agents, context.color));
    context.stdout(describeReport(report, council.agents));
    const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
    const verdict = passed ? paint(context.color, 'green', 'pass') : paint(context.color, 'red', 'FAIL');
    const requirement = required === undefined ? '' : ` (required ${percent(required)})`;
    context.stdout(`${verdict}: ${report.correct}/${report.total} routed as labelled, accuracy ${percent(report.accuracy)}${requirement} in ${file}\n`);
    return passed ? EXIT.ok : EXIT.failed;
  },
};

function parseShare(text: string): number {
  const share = Number(text);
  if (!Number.isFinite(share) || share < 0 || share > 1) throw new UsageError(`--min-accuracy takes a number from 0 to 1, not "${text}"`);
  return share;
}

/** The report as JSON: everything but the misses' full decisions, which list only what was expected and chosen. */
function summarise(report: RoutingEvaluation) {
  const { misses, ...rest } = report;
  return { ...rest, misses: misses.map(({ example, decision }) => ({ title: example.title, expect: example.expect, agent: decision.agent, confidence: decision.confidence })) };
}

function describeReport(report: RoutingEvaluation, agents: readonly AgentPersona[]): string {
  const percent = (share: number) => `${(share * 100).toFixed(1)}%`.padStart(6);
  const ids = agents.map((agent) => agent.id);
  const width = Math.max(8, ...ids.map((id) => id.length));
  const lines = [`${'agent'.padEnd(width)}  recall precision  labelled  routed`];
  for (const id of ids) {
    const score = report.agents[id];
    if (score === undefined) continue;
    lines.push(`${id.padEnd(width)}  ${percent(score.recall)}    ${percent(score.precision)}  ${String(score.support).padStart(8)}  ${String(score.routed).padStart(6)}`);
  }
  lines.push('', `confusion (rows: labelled, columns: routed)`, `${''.padEnd(width)}  ${ids.map((id) => id.slice(0, 7).padStart(7)).join(' ')}`);
  for (const id of ids) lines.push(`${id.padEnd(width)}  ${ids.map((other) => String(report.confusion[id]?.[other] ?? 0).padStart(7)).join(' ')}`);
  lines.push('', `no rule matched: ${report.noMatch} (${percent(report.noMatchRate).trim()}), sent to the default agent`);
  lines.push(`calibration error: ${(report.calibration.expectedError * 100).toFixed(1)} points (confidence bin: decisions, mean confidence, accuracy)`);
  for (const bin of report.calibration.bins) {
    lines.push(`  ${bin.from.toFixed(1)}-${bin.to.toFixed(1)}: ${String(bin.count).padStart(5)}  ${percent(bin.confidence)}  ${percent(bin.accuracy)}`);
  }
  return `${lines.join('\n')}\n`;
}

function describeMiss(miss: RoutingMiss, agents: readonly AgentPersona[], color: boolean): string {
  const { decision, example } = miss;
  const scores = Object.entries(decision.scores)
    .filter(([, score]) => score > 0)
    .map(([agent, score]) => `${agent} ${Number.isInteger(score) ? score : score.toFixed(2)}`)
    .join(', ');
  const hits = decision.matched.map(describeHit).join('; ');
  return `${paint(color, 'red', 'miss')} "${example.title}": expected ${agentName(agents, example.expect)}, got ${agentName(agents, decision.agent)}${scores === '' ? '' : ` (${scores})`}${hits === '' ? '' : `: ${hits}`}\n`;
}
