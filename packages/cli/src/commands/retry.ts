import { KurultaiError } from '@kurultai/core';
import { EXIT, UsageError, type Command } from '../command.js';
import { CONFIG_HELP, CONFIG_OPTION, withLedger } from './load-setup.js';

export const retryCommand: Command = {
  name: 'retry',
  usage: '[--config FILE] <task-id>',
  summary: 'put a failed task back in the queue as its next attempt',
  description: `Marks a failed task in the sink as retrying, attempt + 1, runnable at once; the next \`kurultai run\` runs it.
Exits 1 when the task is unknown or has not failed.

${CONFIG_HELP}`,
  options: { ...CONFIG_OPTION },
  async run({ values, positionals }, context) {
    const [taskId, ...extra] = positionals;
    if (taskId === undefined || extra.length > 0) throw new UsageError('retry takes exactly one task id');
    return withLedger(context, values.config, async (sink) => {
      if (await sink.requeue(taskId, 'requeued by kurultai retry')) {
        context.stdout(`Task ${taskId} is queued again as attempt ${(await sink.getTask(taskId))?.attempt ?? '?'}.\n`);
        return EXIT.ok;
      }
      const task = await sink.getTask(taskId);
      const why = task === undefined ? 'no such task in the ledger' : `it is ${task.status}; only failed tasks can be retried`;
      throw new KurultaiError('retry_refused', `cannot retry: ${why}`, { place: { taskId } });
    });
  },
};
