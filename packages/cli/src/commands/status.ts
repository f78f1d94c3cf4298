import { parseArgs } from 'node:util';
import { KurultaiError, TASK_STATUSES, type SinkSummary, type TaskStatus } from '@kurultai/core';
import { CONFIG_OPTION, EXIT, HELP_OPTION, parseCommandLine, reportError, terminalSafe, type CommandIo } from './command-io.js';
import { loadSetup, openSink, type Setup } from './load-setup.js';

export const STATUS_USAGE = `Usage: kurultai status [--config FILE] [--failures N] [--json]

Shows the ledger: tasks by status, by agent, and the latest failures with their errors.

Options:
  -c, --config FILE   the config file (default: kurultai.config.yaml here, else the embedded defaults)
      --failures N    how many of the latest failures to show (default 5)
      --json          print the summary as JSON
  -h, --help          show this help`;

/** `kurultai status`. */
export async function statusCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseCommandLine(io, STATUS_USAGE, () =>
    parseArgs({ args: [...argv], options: { ...CONFIG_OPTION, failures: { type: 'string' }, json: { type: 'boolean' }, help: HELP_OPTION } }).values,
  );
  if (typeof args === 'number') return args;
  const recentFailures = Number(args.failures ?? 5);
  if (!Number.isInteger(recentFailures) || recentFailures < 0) {
    return reportError(io, new KurultaiError('usage', `--failures takes a whole number, not "${args.failures}"`));
  }
  let setup: Setup | undefined;
  try {
    setup = await loadSetup(io, args.config === undefined ? {} : { configFile: args.config });
    const sink = await openSink(setup);
    try {
      const summary = await sink.summary({ recentFailures });
      io.stdout.write(args.json === true ? `${JSON.stringify(summary, null, 2)}\n` : renderStatus(summary, io.stdout.columns ?? 100));
    } finally {
      await sink.close();
    }
    return EXIT.ok;
  } catch (error) {
    return reportError(io, error, setup?.config.secrets);
  }
}

/** The summary as plain text: a status line, an agents table, the latest failures. Agent errors are shown terminal-safe. */
export function renderStatus(summary: SinkSummary, columns: number): string {
  const total = Object.values(summary.byStatus).reduce((sum, count) => sum + (count ?? 0), 0);
  const shown: readonly TaskStatus[] = TASK_STATUSES.filter((status) => status !== 'pending');
  const lines = [`Tasks: ${total}  ${TASK_STATUSES.map((status) => `${status} ${summary.byStatus[status] ?? 0}`).join('  ')}`, ''];
  const agents = Object.keys(summary.byAgent).sort();
  if (agents.length > 0) {
    const width = Math.max(5, ...agents.map((agent) => agent.length));
    lines.push(['agent'.padEnd(width), ...shown.map((status) => status.padStart(11))].join(' '));
    for (const agent of agents) {
      const counts = summary.byAgent[agent] ?? {};
      lines.push([agent.padEnd(width), ...shown.map((status) => String(counts[status] ?? 0).padStart(11))].join(' '));
    }
    lines.push('');
  }
  if (summary.recentFailures.length > 0) {
    lines.push('Latest failures:');
    for (const failure of summary.recentFailures) {
      const head = `  ${failure.at.toISOString()}  ${failure.taskId}  ${failure.agent}  `;
      lines.push(head + terminalSafe(failure.error, Math.max(20, columns - head.length)));
    }
  }
  return `${lines.join('\n')}\n`;
}
