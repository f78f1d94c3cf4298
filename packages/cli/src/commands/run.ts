import { createDispatcher, describeError, type Dispatcher, loadCouncil, loadPlugin, type RunSummary, type Sink, type Source, type Spawner } from '@kurultai/core';
import { EXIT, type Command, type CommandContext } from '../command.js';
import { describeWaitingRetries } from './describe-waiting-retries.js';
import { LatestMessages } from './latest-messages.js';
import { LiveView } from './live-view.js';
import { CONFIG_HELP, CONFIG_OPTION, loadSetup, type Setup } from './load-setup.js';
import { logListener } from './log-listener.js';
import { redactedError } from './redacted-error.js';

/** The plugins opened so far; closed whatever happens, the sink last. */
interface OpenPlugins {
  sink?: Sink;
  source?: Source;
  spawner?: Spawner;
}

const SIGNAL_NUMBERS: Readonly<Record<'SIGINT' | 'SIGTERM', number>> = { SIGINT: 2, SIGTERM: 15 };

export const runCommand: Command = {
  name: 'run',
  usage: '[--config FILE] [--once]',
  summary: 'run the dispatcher: read, route, record and run tasks on the council',
  description: `Reads tasks from the source, routes them with the council, records them in the sink, runs them through the
spawner within the configured limits, and writes their statuses back to the source. On a terminal it shows a live
view; otherwise it writes JSON log lines to standard output. Without --once it runs until stopped, and reloads the
rules when they change.

Signals: SIGTERM or SIGINT drains (no new tasks; running ones finish, or are released after the grace period) and
exits 0; a second signal exits at once with 128 + the signal number. When the reader of standard output goes away
(\`kurultai run | head\`), it drains the same way, quietly. Exit 1: the config, the rules or a plugin failed.

With --once it stops when no task is runnable now and none is in progress. A task waiting for a retry whose time
is still ahead stays \`retrying\` in the ledger for the next run; the summary says how many wait and when the
first is due. Exit 0 then, as when everything completed; exit 1 when a task failed for good during this run.

${CONFIG_HELP}
      --once         take what the source holds now, run what is runnable, print a summary and exit`,
  options: { ...CONFIG_OPTION, once: { type: 'boolean' } },
  async run({ values }, context) {
    const onTerminal = context.terminalColumns !== undefined;
    let setup: Setup | undefined;
    const plugins: OpenPlugins = {};
    try {
      // On a terminal the live view owns the screen; log lines would tear it, so warnings and errors are shown in it instead.
      const messages = onTerminal ? new LatestMessages() : undefined;
      setup = await loadSetup(context, { configFile: values.config, write: messages?.write ?? context.stdout });
      const council = await loadCouncil(setup.rulesDir);
      plugins.sink = await loadPlugin(setup.config, 'sink', setup.pluginOptions);
      await plugins.sink.init();
      plugins.source = await loadPlugin(setup.config, 'source', setup.pluginOptions);
      plugins.spawner = await loadPlugin(setup.config, 'spawner', setup.pluginOptions);
      const { sink, source, spawner } = plugins;
      const rules = { dir: setup.rulesDir, loadCouncil };
      const dispatcher = createDispatcher({ source, sink, spawner, council, rules, settings: setup.config.dispatcher });
      const view = messages === undefined ? undefined : liveView(context, sink, dispatcher, messages);
      dispatcher.listen(view ?? logListener(setup.pluginOptions.logger));
      const summary = await supervise(dispatcher, { once: values.once === true, context, setup, view });
      // A retry left for later is work deferred, not failed: only a task out of attempts makes a scheduled run fail.
      return summary !== undefined && summary.failed > 0 ? EXIT.failed : EXIT.ok;
    } catch (error) {
      throw redactedError(error, setup?.config.secrets);
    } finally {
      await closeAll(plugins, setup);
    }
  },
};

function liveView(context: CommandContext, sink: Sink, dispatcher: Dispatcher, messages: LatestMessages): LiveView {
  return new LiveView({ write: context.stdout, columns: () => context.terminalColumns ?? 80, color: context.color, sink, dispatcher, messages });
}

interface Supervision {
  readonly once: boolean;
  readonly context: CommandContext;
  readonly setup: Setup;
  readonly view: LiveView | undefined;
}

/**
 * Runs the dispatcher under the process's signals: the first SIGTERM/SIGINT drains, a second one exits at once. Answers
 * the summary of a `--once` run.
 */
async function supervise(dispatcher: Dispatcher, { once, context, setup, view }: Supervision): Promise<RunSummary | undefined> {
  const logger = setup.pluginOptions.logger;
  let draining = false;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    if (draining) {
      logger.warn('second signal: exiting without waiting', { signal });
      process.exit(128 + SIGNAL_NUMBERS[signal]);
    }
    draining = true;
    const graceSeconds = setup.config.dispatcher.drainGraceSeconds;
    view?.note(`${signal}: draining; running tasks get ${graceSeconds}s (signal again to quit at once)`);
    logger.info('draining', { signal, graceSeconds });
    void dispatcher.drain();
  };
  // Nobody reads any more (`kurultai run | head` has its lines): stop as a drain does, quietly, like other Unix tools.
  const onOutputClosed = () => void dispatcher.drain();
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  context.outputClosed.addEventListener('abort', onOutputClosed, { once: true });
  if (context.outputClosed.aborted) onOutputClosed();
  view?.start();
  try {
    if (once) {
      const summary = await dispatcher.runOnce();
      await view?.stop();
      printSummary(context, summary, view !== undefined, logger);
      return summary;
    }
    await dispatcher.run();
    await view?.stop('stopped');
    logger.info('stopped');
    return undefined;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    context.outputClosed.removeEventListener('abort', onOutputClosed);
  }
}

function printSummary(context: CommandContext, summary: RunSummary, onTerminal: boolean, logger: Setup['pluginOptions']['logger']): void {
  const seconds = summary.durationMs / 1000;
  const rate = seconds > 0 ? Math.round((summary.completed + summary.failed) / seconds) : 0;
  const { waitingRetries } = summary.ledger;
  if (!onTerminal) {
    const { ingested, completed, failed, retried } = summary;
    const waiting = waitingRetries === null ? {} : { waitingRetries: waitingRetries.count, nextRetryAt: waitingRetries.nextDueAt.toISOString() };
    logger.info('run summary', { ingested, completed, failed, retried, seconds, tasksPerSecond: rate, ledger: summary.ledger.byStatus, ...waiting });
    return;
  }
  const ledger = Object.entries(summary.ledger.byStatus).map(([status, count]) => `${status} ${count}`).join(', ');
  context.stdout(
    `\nRead ${summary.ingested} new task(s); completed ${summary.completed}, failed ${summary.failed}, retried ${summary.retried} ` +
      `in ${seconds.toFixed(1)}s (${rate} tasks/s).\nLedger: ${ledger === '' ? 'empty' : ledger}.\n` +
      (waitingRetries === null ? '' : `${describeWaitingRetries(waitingRetries)}\n`),
  );
}

/** Closes what was opened, the sink last (the others may still report to it). A failing close is logged, not thrown. */
async function closeAll(plugins: OpenPlugins, setup: Setup | undefined): Promise<void> {
  const closers: [string, (() => Promise<void> | undefined) | undefined][] = [
    ['source', plugins.source?.close?.bind(plugins.source)],
    ['spawner', plugins.spawner?.close?.bind(plugins.spawner)],
    ['sink', plugins.sink?.close.bind(plugins.sink)],
  ];
  for (const [kind, close] of closers) {
    try {
      await close?.();
    } catch (error) {
      setup?.pluginOptions.logger.error(`closing the ${kind} failed`, { error: describeError(error) });
    }
  }
}
