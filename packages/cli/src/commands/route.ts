import type { CompiledCouncil, TaskInput } from '@kurultai/core';
import { EXIT, UsageError, type Command, type CommandContext } from '../command.js';
import { agentName, fallbackAgent } from '../describe-decision.js';
import { loadRules } from '../load-rules.js';
import { paint } from '../paint.js';
import { readLines } from '../read-lines.js';
import { RULES_HELP, RULES_OPTION, rulesFolder } from '../rules-folder.js';

export const routeCommand: Command = {
  name: 'route',
  usage: '[--rules DIR] [--json] [TEXT...]',
  summary: 'route each TEXT (or each line of standard input) to an agent',
  description: `Routes each TEXT as a task title, or each non-empty line of standard input when no TEXT is given, and prints
the agent, the task type, the score and the text.

${RULES_HELP}
      --json       one JSON object per task and line: text, agent, name, type, score, margin, scores, matched, confidence,
                   reason, and fallback: the agent \`kurultai run\` asks to choose instead, when the rules set a fallback
                   policy and the confidence is below its threshold`,
  options: { ...RULES_OPTION, json: { type: 'boolean' } },
  async run({ values, positionals }, context) {
    const texts = positionals.length > 0 ? positionals : await readStdinTexts(context);
    const council = await loadRules(rulesFolder(values['rules'], context.cwd), context.cwd);
    const json = values['json'] === true;
    for (const [index, text] of texts.entries()) {
      context.stdout(json ? `${JSON.stringify(routeRecord(council, text, index))}\n` : routeLine(council, text, index, context.color));
    }
    return EXIT.ok;
  },
};

async function readStdinTexts(context: CommandContext): Promise<readonly string[]> {
  if (context.stdin === undefined) throw new UsageError('give the TEXT to route, or pipe lines on standard input');
  const lines: string[] = [];
  for await (const line of readLines(context.stdin)) if (line.trim() !== '') lines.push(line.trim());
  return lines;
}

function asTask(text: string, index: number): TaskInput {
  return { id: `cli-${index + 1}`, title: text, source: 'cli' };
}

function routeRecord(council: CompiledCouncil, text: string, index: number) {
  const decision = council.route(asTask(text, index));
  const { agent, type, score, margin, scores, matched, confidence, reason } = decision;
  const fallback = fallbackAgent(decision, council);
  return { text, agent, name: agentName(council.agents, agent), type, score, margin, scores, matched, confidence, reason, ...(fallback === undefined ? {} : { fallback }) };
}

function routeLine(council: CompiledCouncil, text: string, index: number, color: boolean): string {
  const decision = council.route(asTask(text, index));
  const name = agentName(council.agents, decision.agent).padEnd(9);
  return `${paint(color, 'green', name)} ${decision.type.padEnd(14)} ${String(decision.score).padStart(3)}  ${text}\n`;
}
