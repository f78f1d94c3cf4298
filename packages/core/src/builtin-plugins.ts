import type { SinkPlugin } from './sink/contract.js';
import { sqliteSink } from './sink/sqlite-sink.js';
import type { SourcePlugin } from './source/contract.js';
import { fileSource } from './source/file-source.js';
import type { SpawnerPlugin } from './spawner/contract.js';
import { echoSpawner } from './spawner/echo-spawner.js';
import { processSpawner } from './spawner/process-spawner.js';

/** The plugins that ship inside `@kurultai/core`, by kind and short name. */
export interface BuiltinPlugins {
  readonly source: Readonly<Record<string, SourcePlugin>>;
  readonly sink: Readonly<Record<string, SinkPlugin>>;
  readonly spawner: Readonly<Record<string, SpawnerPlugin>>;
}

/**
 * The embedded defaults, which need no service: `use: file`, `use: sqlite`, `use: process` or `use: echo` in
 * `kurultai.config.yaml` names one of these instead of a package.
 */
export const builtinPlugins: BuiltinPlugins = {
  source: { file: fileSource },
  sink: { sqlite: sqliteSink },
  spawner: { process: processSpawner, echo: echoSpawner },
};
