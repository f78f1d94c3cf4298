import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import {
  createJsonLogger,
  echoSpawner,
  fileSource,
  loadConfig,
  loadPlugin,
  processSpawner,
  sqliteSink,
  type AnyPluginDefinition,
  type BuiltInPlugins,
  type KurultaiConfig,
  type LoadPluginsOptions,
  type LogLevel,
  type Sink,
} from '@kurultai/core';
import type { CommandIo } from './command-io.js';

/** The plugins `use:` finds by short name. */
const BUILT_IN_PLUGINS: BuiltInPlugins = {
  sqlite: sqliteSink as AnyPluginDefinition,
  echo: echoSpawner as AnyPluginDefinition,
  process: processSpawner as AnyPluginDefinition,
  file: fileSource as AnyPluginDefinition,
};

/** A loaded config and what loading its plugins needs: the commands' common start. */
export interface Setup {
  readonly config: KurultaiConfig;
  readonly pluginOptions: LoadPluginsOptions;
  readonly rulesDir: string;
}

/**
 * Loads the config (`--config FILE`, else `kurultai.config.yaml` in the working folder, else the embedded defaults) and
 * the redacting logger every plugin writes through. Log lines go to `write` (stdout for `run` without a terminal).
 */
export async function loadSetup(io: CommandIo, options: { configFile?: string; write?: (line: string) => void; level?: LogLevel }): Promise<Setup> {
  const config = await loadConfig({ cwd: io.cwd, env: io.env, ...(options.configFile === undefined ? {} : { file: options.configFile }) });
  const write = options.write ?? ((line: string) => io.stderr.write(line));
  const logger = createJsonLogger({ write, secrets: config.secrets, level: options.level ?? logLevel(io.env) });
  return { config, pluginOptions: { builtIns: BUILT_IN_PLUGINS, logger, env: io.env }, rulesDir: config.rulesDir ?? defaultRulesDir(io.cwd) };
}

/** Opens the config's sink, ready for use; for commands that only read or change the ledger. */
export async function openSink(setup: Setup): Promise<Sink> {
  const sink = await loadPlugin(setup.config, 'sink', setup.pluginOptions);
  await sink.init();
  return sink;
}

/** `rules/` in the working folder when there is one, else the default council shipped with Kurultai. */
function defaultRulesDir(cwd: string): string {
  const local = join(cwd, 'rules');
  if (existsSync(local)) return local;
  return fileURLToPath(new URL('../../../../rules', import.meta.url));
}

function logLevel(env: Readonly<Record<string, string | undefined>>): LogLevel {
  const level = env.KURULTAI_LOG_LEVEL;
  return level === 'debug' || level === 'info' || level === 'warn' || level === 'error' ? level : 'info';
}
