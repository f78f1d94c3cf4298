import { EXIT, UsageError, type Command } from '../command.js';
import { explainDecision } from '../describe-decision.js';
import { loadRules } from '../load-rules.js';
import { RULES_HELP, RULES_OPTION, rulesFolder } from '../rules-folder.js';

export const explainCommand: Command = {
  name: 'explain',
  usage: '[--rules DIR] TEXT',
  summary: "show every agent's score for TEXT and the rules and words behind it",
  description: `Routes TEXT (the words given, joined by spaces) and prints a table of every agent's score, with each rule that
fired, the words of TEXT that matched it, and where the rule is written.

${RULES_HELP}`,
  options: RULES_OPTION,
  async run({ values, positionals }, context) {
    if (positionals.length === 0) throw new UsageError('give the TEXT to explain');
    const text = positionals.join(' ');
    const council = await loadRules(rulesFolder(values['rules'], context.cwd), context.cwd);
    const decision = council.route({ id: 'cli-1', title: text, source: 'cli' });
    context.stdout(explainDecision(text, decision, council, context.color));
    return EXIT.ok;
  },
};
