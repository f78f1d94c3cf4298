import {
  type AnyPluginDefinition,
  builtinPlugins,
  describeError,
  findPluginDefinition,
  type KnownPlugin,
  type KurultaiConfig,
  KurultaiError,
  PLUGIN_OPTIONS_SCHEMA_FILE,
  pluginDefinitionProblem,
  type PluginKind,
} from '@kurultai/core';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const KINDS: readonly string[] = ['source', 'sink', 'spawner'] satisfies readonly PluginKind[];

/**
 * The plugins a project uses besides the built-ins, each once, ordered by `use:`: those its config names (a package or
 * a path) and the plugin packages installed for it. `warn` hears of an installed package left out.
 */
export async function projectPlugins(config: KurultaiConfig, warn: (message: string) => void): Promise<KnownPlugin[]> {
  const byUse = new Map<string, KnownPlugin>();
  for (const plugin of [...(await installedPlugins(config.baseDir, warn)), ...(await namedPlugins(config))]) byUse.set(plugin.use, plugin);
  // Code-unit order, not the locale's: the committed first-party schema must come out the same on every machine.
  return [...byUse.values()].sort((a, b) => (a.use < b.use ? -1 : 1));
}

/** The config's plugins that are not built-ins, loaded as `kurultai run` loads them (errors name the plugin and its `use:`). */
async function namedPlugins(config: KurultaiConfig): Promise<KnownPlugin[]> {
  const named: KnownPlugin[] = [];
  for (const choice of Object.values(config.plugins)) {
    if (Object.hasOwn(builtinPlugins, choice.use)) continue;
    named.push({ use: choice.use, definition: await findPluginDefinition(choice, config.baseDir) });
  }
  return named;
}

/**
 * The plugin packages among the dependencies (any kind) of the nearest package.json at or above `dir`: by convention,
 * those exporting `schema/options.schema.json`. Only they are imported, so an ordinary dependency never runs here.
 */
async function installedPlugins(dir: string, warn: (message: string) => void): Promise<KnownPlugin[]> {
  const manifestFile = nearestPackageJson(dir);
  if (manifestFile === undefined) return [];
  const manifest = await readManifest(manifestFile);
  const names = new Set(['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'].flatMap((field) => Object.keys(manifest[field] ?? {})));
  const require = createRequire(manifestFile);
  const installed: KnownPlugin[] = [];
  for (const name of names) {
    if (!resolves(require, `${name}/${PLUGIN_OPTIONS_SCHEMA_FILE}`)) continue;
    const found = await installedDefinition(require, name);
    if ('definition' in found) installed.push({ use: name, definition: found.definition });
    else warn(`${name} ships a plugin options schema, but ${found.problem}: left out of the schema`);
  }
  return installed;
}

/** Why a package's default export is no plugin definition of any kind, or undefined when it is one. */
function kindlessDefinitionProblem(candidate: unknown): string | undefined {
  const kind = (candidate as { kind?: unknown } | null | undefined)?.kind;
  if (typeof kind !== 'string' || !KINDS.includes(kind)) return 'its default export is not made with defineSource(), defineSink() or defineSpawner()';
  return pluginDefinitionProblem(candidate, kind as PluginKind);
}

type Manifest = Partial<Record<string, Readonly<Record<string, string>>>>;

async function readManifest(file: string): Promise<Manifest> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Manifest;
  } catch (error) {
    throw new KurultaiError('package_json_invalid', `cannot read the project's dependencies: ${describeError(error)}`, { place: { file } });
  }
}

async function installedDefinition(require: NodeJS.Require, name: string): Promise<{ readonly definition: AnyPluginDefinition } | { readonly problem: string }> {
  let candidate: unknown;
  try {
    candidate = ((await import(pathToFileURL(require.resolve(name)).href)) as { default?: unknown }).default;
  } catch (error) {
    return { problem: `it cannot be imported (${describeError(error)})` };
  }
  const problem = kindlessDefinitionProblem(candidate);
  return problem === undefined ? { definition: candidate as AnyPluginDefinition } : { problem };
}

function nearestPackageJson(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const candidate = join(current, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(current) === current) return undefined;
  }
}

function resolves(require: NodeJS.Require, specifier: string): boolean {
  try {
    require.resolve(specifier);
    return true;
  } catch {
    return false;
  }
}
