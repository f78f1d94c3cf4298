import {
  createJsonLogger,
  loadConfig,
  loadPlugin,
  type KurultaiConfig,
  type LoadPluginsOptions,
  type LogLevel,
  type Sink,
} from '@kurultai/core';
import type { ParseArgsOptionsConfig } from 'node:util';
import type { CommandContext } from '../command.js';
import { rulesFolder } from '../rules-folder.js';
import { redactedError } from './redacted-error.js';

export const CONFIG_OPTION: ParseArgsOptionsConfig = { config: { type: 'string', short: 'c' } };

export const CONFIG_HELP = `  -c, --config FILE  the config file (default: kurultai.config.yaml here, else the embedded defaults)`;

/** A loaded config and what loading its plugins needs: the start every ledger command shares. */
export interface Setup {
  readonly config: KurultaiConfig;
  readonly pluginOptions: LoadPluginsOptions;
  /** The config's `rules:`, else `rules/` in the working folder, else the council shipped with kurultai. */
  readonly rulesDir: string;
}

/**
 * Loads the config (`--config FILE`, else `kurultai.config.yaml` in the working folder, else the embedded defaults) and
 * the redacting logger every plugin writes through. Log lines go to `write`, standard error unless told otherwise.
 */
export async function loadSetup(context: CommandContext, options: { configFile: string | boolean | undefined; write?: (line: string) => void }): Promise<Setup> {
  const file = typeof options.configFile === 'string' ? options.configFile : undefined;
  const config = await loadConfig({ cwd: context.cwd, env: context.env, ...(file === undefined ? {} : { file }) });
  const logger = createJsonLogger({ write: options.write ?? context.stderr, secrets: config.secrets, level: logLevel(context.env) });
  return { config, pluginOptions: { logger, env: context.env }, rulesDir: config.rulesDir ?? rulesFolder(undefined, context.cwd) };
}

/**
 * Runs `work` on the config's sink, opened and initialised before and closed after, with the setup it came from (whose
 * `rulesDir` names the council in force): all that `status`, `retry` and `reassign` need. Whatever fails comes out with
 * the config's secrets masked.
 */
export async function withLedger<T>(
  context: CommandContext,
  configFile: string | boolean | undefined,
  work: (sink: Sink, setup: Setup) => Promise<T>,
): Promise<T> {
  let setup: Setup | undefined;
  try {
    setup = await loadSetup(context, { configFile });
    const sink = await loadPlugin(setup.config, 'sink', setup.pluginOptions);
    await sink.init();
    try {
      return await work(sink, setup);
    } finally {
      await sink.close();
    }
  } catch (error) {
    throw redactedError(error, setup?.config.secrets);
  }
}

/** `KURULTAI_LOG_LEVEL` (debug, info, warn, error); default info. */
function logLevel(env: Readonly<Record<string, string | undefined>>): LogLevel {
  const level = env.KURULTAI_LOG_LEVEL;
  return level === 'debug' || level === 'info' || level === 'warn' || level === 'error' ? level : 'info';
}
