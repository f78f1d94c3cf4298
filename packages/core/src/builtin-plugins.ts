import type { SinkPlugin } from './sink/contract.js';
import { sqliteSink } from './sink/sqlite-sink.js';
import type { SourcePlugin } from './source/contract.js';
import { fileSource } from './source/file-source.js';
import type { SpawnerPlugin } from './spawner/contract.js';
import { echoSpawner } from './spawner/echo-spawner.js';
import { processSpawner } from './spawner/process-spawner.js';

/**
 * The embedded defaults, which need no service, by the short names `use:` accepts in `kurultai.config.yaml` instead of a
 * package: the `file` source, the `sqlite` sink, and the `process` and `echo` spawners. Names are unique across kinds; a
 * loader still checks that the plugin it finds is of the kind the config asks for.
 */
export const builtinPlugins = {
  file: fileSource,
  sqlite: sqliteSink,
  process: processSpawner,
  echo: echoSpawner,
} as const satisfies Readonly<Record<string, SourcePlugin | SinkPlugin | SpawnerPlugin>>;
