import { parseArgs } from 'node:util';
import {
  createDispatcher,
  loadCouncil,
  loadPlugin,
  type Dispatcher,
  type RunSummary,
  type Sink,
  type Source,
  type Spawner,
} from '@kurultai/core';
import { CONFIG_OPTION, EXIT, HELP_OPTION, parseCommandLine, reportError, type CommandIo } from './command-io.js';
import { LiveView } from './live-view.js';
import { loadSetup, type Setup } from './load-setup.js';
import { logListener } from './log-listener.js';

export const RUN_USAGE = `Usage: kurultai run [--config FILE] [--once]

Runs the dispatcher: reads tasks from the source, routes them, records them in the sink and runs them on the council.
On a terminal it shows a live view; otherwise it writes JSON log lines to standard output.

Options:
  -c, --config FILE  the config file (default: kurultai.config.yaml here, else the embedded defaults)
      --once         take what the source holds now, finish it, print a summary and exit
  -h, --help         show this help

Signals: SIGTERM or SIGINT drains (no new tasks; running ones finish or are released after the grace period) and exits
0; a second signal exits at once (128 + signal number). Exit 2: the config or rules are invalid. Exit 1: a failure.`;

/** The plugins, opened; closed in reverse order whatever happens. */
interface OpenPlugins {
  sink?: Sink;
  source?: Source;
  spawner?: Spawner;
}

/** `kurultai run [--config FILE] [--once]`. */
export async function runCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseCommandLine(io, RUN_USAGE, () => parseArgs({ args: [...argv], options: { ...CONFIG_OPTION, once: { type: 'boolean' }, help: HELP_OPTION } }).values);
  if (typeof args === 'number') return args;
  const onTerminal = io.stdout.isTTY === true;
  let setup: Setup | undefined;
  const plugins: OpenPlugins = {};
  try {
    setup = await loadSetup(io, { ...(args.config === undefined ? {} : { configFile: args.config }), write: onTerminal ? () => {} : (line) => io.stdout.write(line) });
    const council = await loadCouncil(setup.rulesDir);
    plugins.sink = await loadPlugin(setup.config, 'sink', setup.pluginOptions);
    await plugins.sink.init();
    plugins.source = await loadPlugin(setup.config, 'source', setup.pluginOptions);
    plugins.spawner = await loadPlugin(setup.config, 'spawner', setup.pluginOptions);
    const { sink, source, spawner } = plugins;
    const rules = { dir: setup.rulesDir, loadCouncil };
    const dispatcher = createDispatcher({ source, sink, spawner, council, rules, settings: setup.config.dispatcher });
    const view = onTerminal ? liveView(io, sink, dispatcher) : undefined;
    dispatcher.listen(view ?? logListener(setup.pluginOptions.logger));
    return await supervise(dispatcher, { once: args.once === true, io, setup, view });
  } catch (error) {
    return reportError(io, error, setup?.config.secrets);
  } finally {
    await closeAll(plugins, io, setup);
  }
}

function liveView(io: CommandIo, sink: Sink, dispatcher: Dispatcher): LiveView {
  return new LiveView({
    write: (text) => io.stdout.write(text),
    columns: () => io.stdout.columns ?? 100,
    color: io.env.NO_COLOR === undefined || io.env.NO_COLOR === '',
    sink,
    dispatcher,
  });
}

/**
 * Runs the dispatcher under the process's signals: the first SIGTERM/SIGINT drains, a second one exits at once.
 */
async function supervise(dispatcher: Dispatcher, context: { once: boolean; io: CommandIo; setup: Setup; view: LiveView | undefined }): Promise<number> {
  const { io, setup, view } = context;
  const logger = setup.pluginOptions.logger;
  let draining = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (draining) {
      logger.warn('second signal: exiting without waiting', { signal });
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    }
    draining = true;
    const graceSeconds = setup.config.dispatcher.drainGraceSeconds;
    view?.note(`${signal}: draining, running tasks get ${graceSeconds}s (signal again to quit at once)`);
    logger.info('draining', { signal, graceSeconds });
    void dispatcher.drain();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  view?.start();
  try {
    if (context.once) {
      const summary = await dispatcher.runOnce();
      view?.stop();
      printSummary(io, summary, view !== undefined, logger);
    } else {
      await dispatcher.run();
      view?.stop('stopped');
      logger.info('stopped');
    }
    return EXIT.ok;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

function printSummary(io: CommandIo, summary: RunSummary, onTerminal: boolean, logger: Setup['pluginOptions']['logger']): void {
  const seconds = summary.durationMs / 1000;
  const rate = seconds > 0 ? Math.round((summary.completed + summary.failed) / seconds) : 0;
  const fields = { ingested: summary.ingested, completed: summary.completed, failed: summary.failed, retried: summary.retried, seconds, tasksPerSecond: rate, ledger: summary.ledger.byStatus };
  if (!onTerminal) {
    logger.info('run summary', fields);
    return;
  }
  const ledger = Object.entries(summary.ledger.byStatus).map(([status, count]) => `${status} ${count}`).join(', ');
  io.stdout.write(
    `\nRead ${summary.ingested} new task(s); completed ${summary.completed}, failed ${summary.failed}, retried ${summary.retried} in ${seconds.toFixed(1)}s (${rate} tasks/s).\n` +
      `Ledger: ${ledger === '' ? 'empty' : ledger}.\n`,
  );
}

/** Closes what was opened, the sink last (the others may still report to it). A failing close is reported, not thrown. */
async function closeAll(plugins: OpenPlugins, io: CommandIo, setup: Setup | undefined): Promise<void> {
  for (const close of [() => plugins.source?.close?.(), () => plugins.spawner?.close?.(), () => plugins.sink?.close()]) {
    try {
      await close();
    } catch (error) {
      reportError(io, error, setup?.config.secrets);
    }
  }
}
