import { TASK_STATUSES, type SinkSummary, type TaskStatus } from '@kurultai/core';
import { EXIT, UsageError, type Command } from '../command.js';
import { describeWaitingRetries } from './describe-waiting-retries.js';
import { CONFIG_HELP, CONFIG_OPTION, withLedger } from './load-setup.js';
import { terminalSafe } from './terminal-safe.js';

export const statusCommand: Command = {
  name: 'status',
  usage: '[--config FILE] [--failures N] [--json]',
  summary: 'show the ledger: tasks by status and agent, and the latest failures',
  description: `Reads the sink named by the config and prints the tasks by status, by agent, the retries still waiting for
their time (and when the first is due), and the latest failures with their errors.

${CONFIG_HELP}
      --failures N   how many of the latest failures to show (default 5)
      --json         print the summary as JSON`,
  options: { ...CONFIG_OPTION, failures: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values }, context) {
    const recentFailures = Number(values.failures ?? 5);
    if (!Number.isInteger(recentFailures) || recentFailures < 0) throw new UsageError(`--failures takes a whole number, not "${String(values.failures)}"`);
    const summary = await withLedger(context, values.config, (sink) => sink.summary({ recentFailures }));
    context.stdout(values.json === true ? `${JSON.stringify(summary, null, 2)}\n` : renderStatus(summary, context.terminalColumns ?? 120));
    return EXIT.ok;
  },
};

/** The summary as plain text: a status line, an agents table, the latest failures. Agents' errors are shown terminal-safe. */
export function renderStatus(summary: SinkSummary, columns: number): string {
  const total = Object.values(summary.byStatus).reduce((sum, count) => sum + (count ?? 0), 0);
  const lines = [`Tasks: ${total}  ${TASK_STATUSES.map((status) => `${status} ${summary.byStatus[status] ?? 0}`).join('  ')}`, ''];
  const agents = Object.keys(summary.byAgent).sort();
  if (agents.length > 0) {
    // Every task is assigned on ingest, so `pending` never shows per agent.
    const shown: readonly TaskStatus[] = TASK_STATUSES.filter((status) => status !== 'pending');
    const width = Math.max(5, ...agents.map((agent) => agent.length));
    lines.push(['agent'.padEnd(width), ...shown.map((status) => status.padStart(11))].join(' '));
    for (const agent of agents) {
      const counts = summary.byAgent[agent] ?? {};
      lines.push([agent.padEnd(width), ...shown.map((status) => String(counts[status] ?? 0).padStart(11))].join(' '));
    }
    lines.push('');
  }
  if (summary.waitingRetries !== null) lines.push(describeWaitingRetries(summary.waitingRetries), '');
  if (summary.recentFailures.length > 0) {
    lines.push('Latest failures:');
    for (const failure of summary.recentFailures) {
      const head = `  ${failure.at.toISOString()}  ${failure.taskId}  ${failure.agent}  `;
      lines.push(head + terminalSafe(failure.error, Math.max(20, columns - head.length)));
    }
  }
  return `${lines.join('\n')}\n`;
}
