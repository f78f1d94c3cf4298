import { formatProblem, loadExamples, runExamples, type AgentPersona, type ExampleMiss } from '@kurultai/core';
import { join, resolve } from 'node:path';
import { EXIT, type Command } from '../command.js';
import { agentName, describeHit } from '../describe-decision.js';
import { displayPath, loadRules } from '../load-rules.js';
import { paint } from '../paint.js';
import { RULES_HELP, RULES_OPTION, rulesFolder } from '../rules-folder.js';

export const testCommand: Command = {
  name: 'test',
  usage: '[--rules DIR] [FILE]',
  summary: 'route labelled examples and report the accuracy; exit 1 below the threshold',
  description: `Routes every example of FILE (default: examples.yaml in the rules folder), prints the accuracy and each miss with
its explanation, and exits 1 when the accuracy is below the file's min_accuracy.

${RULES_HELP}`,
  options: RULES_OPTION,
  async run({ values, positionals }, context) {
    const dir = rulesFolder(values['rules'], context.cwd);
    const council = await loadRules(dir, context.cwd);
    const file = displayPath(positionals[0] === undefined ? join(dir, 'examples.yaml') : resolve(context.cwd, positionals[0]), context.cwd);
    const examples = await loadExamples(file, council.agents.map((agent) => agent.id));
    if (!examples.ok) {
      for (const problem of examples.problems) context.stdout(`${formatProblem(problem)}\n`);
      return EXIT.failed;
    }
    const report = runExamples(council, examples.value);
    for (const miss of report.misses) context.stdout(describeMiss(miss, council.agents, context.color));
    const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
    const verdict = report.passed ? paint(context.color, 'green', 'pass') : paint(context.color, 'red', 'FAIL');
    context.stdout(`${verdict}: ${report.correct}/${report.total} routed as labelled, accuracy ${percent(report.accuracy)} (required ${percent(report.minAccuracy)}) in ${file}\n`);
    return report.passed ? EXIT.ok : EXIT.failed;
  },
};

function describeMiss(miss: ExampleMiss, agents: readonly AgentPersona[], color: boolean): string {
  const { decision } = miss;
  const scores = Object.entries(decision.scores)
    .filter(([, score]) => score > 0)
    .map(([agent, score]) => `${agent} ${score}`)
    .join(', ');
  const hits = decision.matched.map(describeHit).join('; ');
  return `${paint(color, 'red', 'miss')} "${miss.text}": expected ${agentName(agents, miss.expect)}, got ${agentName(agents, decision.agent)}${scores === '' ? '' : ` (${scores})`}${hits === '' ? '' : `: ${hits}`}\n`;
}
