import { parseArgs } from 'node:util';
import { KurultaiError } from '@kurultai/core';
import { CONFIG_OPTION, EXIT, HELP_OPTION, parseCommandLine, reportError, type CommandIo } from './command-io.js';
import { loadSetup, openSink, type Setup } from './load-setup.js';

export const RETRY_USAGE = `Usage: kurultai retry [--config FILE] <task-id>

Puts a failed task back in the queue as its next attempt; the next \`kurultai run\` runs it.

Options:
  -c, --config FILE  the config file (default: kurultai.config.yaml here, else the embedded defaults)
  -h, --help         show this help`;

/** `kurultai retry <task-id>`. */
export async function retryCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseCommandLine(io, RETRY_USAGE, () => {
    const { values, positionals } = parseArgs({ args: [...argv], options: { ...CONFIG_OPTION, help: HELP_OPTION }, allowPositionals: true });
    return { ...values, positionals };
  });
  if (typeof args === 'number') return args;
  const [taskId, ...extra] = args.positionals;
  if (taskId === undefined || extra.length > 0) return reportError(io, new KurultaiError('usage', 'retry takes exactly one task id (see --help)'));
  let setup: Setup | undefined;
  try {
    setup = await loadSetup(io, args.config === undefined ? {} : { configFile: args.config });
    const sink = await openSink(setup);
    try {
      if (await sink.requeue(taskId, 'requeued by kurultai retry')) {
        const task = await sink.getTask(taskId);
        io.stdout.write(`Task ${taskId} is queued again as attempt ${task?.attempt ?? '?'}.\n`);
        return EXIT.ok;
      }
      const task = await sink.getTask(taskId);
      const why = task === undefined ? 'no such task in the ledger' : `it is ${task.status}; only failed tasks can be retried`;
      throw new KurultaiError('retry_refused', `cannot retry: ${why}`, { place: { taskId } });
    } finally {
      await sink.close();
    }
  } catch (error) {
    return reportError(io, error, setup?.config.secrets);
  }
}
