import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinPlugins } from '../builtin-plugins.js';
import { describeError, KurultaiError, type Place, type Problem } from '../errors.js';
import type { ScopedLogger } from '../logging/json-logger.js';
import type { Logger, PluginContext, PluginDefinition, PluginKind } from '../plugin.js';
import type { Sink } from '../sink/contract.js';
import type { Source } from '../source/contract.js';
import type { Spawner } from '../spawner/contract.js';
import { schemaProblems } from '../yaml/schema-problems.js';
import type { KurultaiConfig, PluginChoice } from './load-config.js';

/** Any plugin definition, of any kind: what a module's default export must be. */
export type AnyPluginDefinition = PluginDefinition<PluginKind, unknown, unknown>;

/** The plugins found by short name (`use: sqlite`); the loader checks each one's kind like any other plugin's. */
const BUILT_IN_PLUGINS: Readonly<Record<string, AnyPluginDefinition>> = builtinPlugins;

export interface LoadPluginsOptions {
  /** The redacting logger; each plugin gets a child scoped to it (`plugin` field). */
  readonly logger: ScopedLogger;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The instance each plugin kind's factory makes: the three plugins a dispatcher runs with. */
export interface PluginInstances {
  readonly source: Source;
  readonly sink: Sink;
  readonly spawner: Spawner;
}

/**
 * Loads and creates one of the config's plugins: finds its definition (a built-in, a package, a path), checks its kind
 * and contract version, validates its options with its own schema (problems at `path:line:col`), and calls its factory
 * with a context scoped to it. Errors name the plugin.
 */
export async function loadPlugin<Kind extends PluginKind>(config: KurultaiConfig, kind: Kind, options: LoadPluginsOptions): Promise<PluginInstances[Kind]> {
  const choice = config.plugins[kind];
  const definition = await findPluginDefinition(choice, config.baseDir);
  const parsed = definition.options.safeParse(choice.options);
  if (!parsed.success) {
    const problems = optionProblems(choice, definition.name, parsed.error.issues);
    throw new KurultaiError('plugin_options_invalid', problems[0]?.message ?? 'invalid options', { place: problems[0]?.place ?? { plugin: definition.name }, problems });
  }
  const context: PluginContext = { logger: options.logger.child({ plugin: definition.name }), env: options.env, baseDir: config.baseDir };
  try {
    // The definition's kind was checked against `kind`, so its instance is that kind's.
    return (await definition.create(parsed.data, context)) as PluginInstances[Kind];
  } catch (error) {
    if (error instanceof KurultaiError) throw error;
    const message = config.secrets.redact(describeError(error));
    throw new KurultaiError('plugin_create_failed', `could not start: ${message}`, { place: { plugin: definition.name }, cause: error });
  }
}

/**
 * Loads the config's sink, source and spawner (in that order), as `loadPlugin` does each. If one fails, the ones already
 * started are closed in reverse order before the error is thrown, so a failed start leaves no ledger or connection open.
 */
export async function loadPlugins(config: KurultaiConfig, options: LoadPluginsOptions): Promise<PluginInstances> {
  const started: Closable[] = [];
  try {
    const sink = await loadPlugin(config, 'sink', options);
    started.push({ name: config.plugins.sink.use, close: () => sink.close() });
    const source = await loadPlugin(config, 'source', options);
    started.push({ name: config.plugins.source.use, close: () => source.close?.() });
    const spawner = await loadPlugin(config, 'spawner', options);
    return { source, sink, spawner };
  } catch (error) {
    await closeInReverse(started, options.logger);
    throw error;
  }
}

interface Closable {
  readonly name: string;
  close(): Promise<void> | undefined;
}

/** A plugin that fails to close is logged and the rest still close: the error worth reporting is the one that stopped the start. */
async function closeInReverse(started: readonly Closable[], logger: Logger): Promise<void> {
  for (const plugin of [...started].reverse()) {
    try {
      await plugin.close();
    } catch (error) {
      logger.warn('could not close a plugin after a failed start', { plugin: plugin.name, error: describeError(error) });
    }
  }
}

/**
 * The definition of the plugin a config section's `use:` names (a built-in, a package or a path resolved from `baseDir`),
 * checked to be a plugin of the section's kind, without creating it. Errors name the plugin and the place of its `use:`.
 */
export async function findPluginDefinition(choice: PluginChoice, baseDir: string): Promise<AnyPluginDefinition> {
  const place: Place = { ...choice.document?.placeOf([choice.kind, 'use']), plugin: choice.use };
  const builtIn: unknown = Object.hasOwn(BUILT_IN_PLUGINS, choice.use) ? BUILT_IN_PLUGINS[choice.use] : undefined;
  const candidate = builtIn ?? (await importDefault(choice.use, baseDir, place));
  const problem = pluginDefinitionProblem(candidate, choice.kind);
  if (problem !== undefined) throw new KurultaiError('plugin_invalid', problem, { place });
  return candidate as AnyPluginDefinition;
}

async function importDefault(use: string, baseDir: string, place: Place): Promise<unknown> {
  const isPath = use.startsWith('.') || isAbsolute(use);
  let url: string;
  try {
    url = isPath ? pathToFileURL(resolve(baseDir, use)).href : pathToFileURL(createRequire(join(baseDir, 'noop.js')).resolve(use)).href;
  } catch {
    throw new KurultaiError('plugin_not_found', `no built-in plugin, package or file named "${use}" (looked from ${baseDir})`, { place });
  }
  try {
    const module = (await import(url)) as { default?: unknown };
    return module.default;
  } catch (error) {
    throw new KurultaiError('plugin_not_found', `cannot import "${use}": ${describeError(error)}`, { place, cause: error });
  }
}

/** Why a module's default export is not a plugin of the expected kind, or undefined when it is one. */
export function pluginDefinitionProblem(candidate: unknown, kind: PluginKind): string | undefined {
  if (candidate === null || typeof candidate !== 'object') return `the module has no default export made with define${capitalize(kind)}()`;
  const definition = candidate as Partial<Record<keyof AnyPluginDefinition, unknown>>;
  if (definition.kind !== kind) return `is a ${String(definition.kind)} plugin, not a ${kind} plugin`;
  if (definition.specificationVersion !== 'v1') {
    return `speaks plugin specification ${String(definition.specificationVersion)}; this Kurultai knows v1`;
  }
  const options = definition.options as { safeParse?: unknown } | undefined;
  if (typeof definition.create !== 'function' || typeof options?.safeParse !== 'function' || typeof definition.name !== 'string') {
    return `is not a complete plugin definition (name, options schema, create)`;
  }
  return undefined;
}

function optionProblems(choice: PluginChoice, name: string, issues: Parameters<typeof schemaProblems>[1]): Problem[] {
  const withPlugin = (problem: Problem): Problem => ({ ...problem, place: { ...problem.place, plugin: name } });
  if (choice.document === undefined) return issues.map((issue) => withPlugin({ place: {}, message: `${issue.path.join('.')}: ${issue.message}` }));
  const { document, optionsPath } = choice;
  const scoped = { file: document.file, data: choice.options, placeOf: (path: readonly PropertyKey[], o?: { readonly key?: boolean }) => document.placeOf([...optionsPath, ...path], o) };
  return schemaProblems(scoped, issues).map(withPlugin);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
