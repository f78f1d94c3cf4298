import { userInfo } from 'node:os';
import { findAgent, KurultaiError, type ReassignResult } from '@kurultai/core';
import { EXIT, UsageError, type Command, type CommandContext } from '../command.js';
import { loadRules } from '../load-rules.js';
import { CONFIG_HELP, CONFIG_OPTION, withLedger } from './load-setup.js';

export const reassignCommand: Command = {
  name: 'reassign',
  usage: '[--config FILE] <task-id> <agent> [--why TEXT] [--by NAME] [--json]',
  summary: 'say a task should have gone to another agent: it moves if not started, and routing learns from it',
  description: `Records a correction in the sink: the task should have gone to <agent>, an agent of the council in force
(its id or its display name). A task not running (pending, assigned, retrying, failed) moves to that agent at once; a
failed one runs there when retried (kurultai retry). A task in progress or completed stays where it is, and the
correction is recorded all the same, for routing to learn from. Exits 1 when the task or the agent is unknown.

${CONFIG_HELP}
      --why TEXT     why, in your words (kept as the decision's rationale)
      --by NAME      who says so (default: your user name on this machine)
      --json         print the outcome as JSON`,
  options: { ...CONFIG_OPTION, why: { type: 'string' }, by: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values, positionals }, context) {
    const [taskId, agentName, ...extra] = positionals;
    if (taskId === undefined || agentName === undefined || extra.length > 0) {
      throw new UsageError('reassign takes a task id and an agent');
    }
    const by = typeof values.by === 'string' ? values.by : osUserName(context);
    const why = typeof values.why === 'string' && values.why.trim() !== '' ? { why: values.why } : {};
    return withLedger(context, values.config, async (sink, setup) => {
      const council = await loadRules(setup.rulesDir, context.cwd);
      const agent = findAgent(council.agents, agentName);
      if (agent === undefined) {
        const ids = council.agents.map((known) => known.id).join(', ');
        throw new KurultaiError('reassign_refused', `cannot reassign: the council has no agent "${agentName}" (it has ${ids})`, {
          place: { taskId },
        });
      }
      const result = await sink.reassign({ taskId, to: agent.id, by, ...why });
      if (result.outcome === 'unknown_task') {
        throw new KurultaiError('reassign_refused', 'cannot reassign: no such task in the ledger', { place: { taskId } });
      }
      context.stdout(values.json === true ? `${JSON.stringify(result)}\n` : `${describeReassignment(result)}\n`);
      return EXIT.ok;
    });
  },
};

/** The outcome in one sentence. */
function describeReassignment(result: Exclude<ReassignResult, { outcome: 'unknown_task' }>): string {
  const { task, from, to, by } = result.correction;
  const recorded = `the correction by ${by} is recorded`;
  if (result.outcome === 'moved') {
    const retry = result.status === 'failed' ? `; \`kurultai retry ${task.id}\` runs it there` : '';
    return `Task ${task.id} moves from ${from} to ${to}${retry}; ${recorded}.`;
  }
  if (from === to) return `Task ${task.id} is already on ${to}; ${recorded}.`;
  return `Task ${task.id} is ${result.status} on ${from} and stays there; ${recorded} for routing to learn from.`;
}

/** Who runs the command, as the operating system knows them; the environment's USER when it has no entry for this user. */
function osUserName(context: CommandContext): string {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    // A container running as a uid without a passwd entry: userInfo throws.
    name = context.env.USER ?? context.env.LOGNAME;
  }
  if (name === undefined || name === '') throw new UsageError('cannot tell who you are: say so with --by NAME');
  return name;
}
