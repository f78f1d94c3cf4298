import { checkRulesPath, formatProblem } from '@kurultai/core';
import { resolve } from 'node:path';
import { EXIT, type Command } from '../command.js';
import { displayPath } from '../load-rules.js';
import { paint } from '../paint.js';

export const validateCommand: Command = {
  name: 'validate',
  usage: '[PATH...]',
  summary: 'check rules folders or files; print every problem as path:line:col: message',
  description: `Checks each PATH, a rules folder (agents.yaml, every routing file, every examples file) or a single file (checked
against the agents.yaml beside it). Default PATH: rules. Exits 0 when everything is valid, otherwise 1 with one line
per problem.`,
  options: {},
  async run({ positionals }, context) {
    const paths = positionals.length > 0 ? positionals : ['rules'];
    let problems = 0;
    for (const path of paths) {
      const shown = displayPath(resolve(context.cwd, path), context.cwd);
      const check = await checkRulesPath(shown);
      problems += check.problems.length;
      for (const problem of check.problems) context.stdout(`${formatProblem(problem)}\n`);
      if (check.problems.length === 0) {
        const { agents, rules, examples } = check.counts;
        context.stdout(`${paint(context.color, 'green', 'valid')} ${shown} (${agents} agents, ${rules} rules, ${examples} examples)\n`);
      }
    }
    return problems === 0 ? EXIT.ok : EXIT.failed;
  },
};
