export * from './errors.js';
export * from './plugin.js';
export * from './task.js';
export type * from './router/decision.js';
export type * from './router/council.js';
export * from './source/contract.js';
export * from './sink/contract.js';
export * from './sink/reassignment.js';
export * from './spawner/contract.js';
export * from './yaml/index.js';
export * from './router/index.js';
export * from './learning/index.js';
export { buildPersonaPrompt } from './prompt/persona-prompt.js';
export { createSqliteSink, sqliteSink, sqliteSinkOptions, type SqliteSinkOptions } from './sink/sqlite-sink.js';
export { createEchoSpawner, echoSpawner, echoSpawnerOptions, type EchoSpawnerOptions } from './spawner/echo-spawner.js';
export {
  createProcessSpawner,
  processSpawner,
  processSpawnerOptions,
  type ProcessSpawnerOptions,
} from './spawner/process-spawner.js';
export { createFileSource, fileSource, fileSourceOptions, type FileSourceOptions } from './source/file-source.js';
export { builtinPlugins } from './builtin-plugins.js';
export * from './dispatcher/events.js';
export * from './dispatcher/settings.js';
export * from './dispatcher/retry-policy.js';
export * from './dispatcher/dispatcher.js';
export * from './dispatcher/rules-reload.js';
export * from './logging/secrets.js';
export * from './logging/json-logger.js';
export * from './config/config-schema.js';
export * from './config/load-config.js';
export * from './config/load-plugins.js';
export * from './config/config-json-schema.js';
