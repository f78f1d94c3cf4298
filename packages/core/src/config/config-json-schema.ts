import { z } from 'zod';
import { builtinPlugins } from '../builtin-plugins.js';
import type { PluginKind } from '../plugin.js';
import { rulesJsonSchemas } from '../router/json-schemas.js';
import { configFileSchema } from './config-schema.js';
import type { AnyPluginDefinition } from './load-plugins.js';

/** A plugin the config's JSON Schema knows: the `use:` that names it (a built-in's short name, a package name) and its definition. */
export interface KnownPlugin {
  readonly use: string;
  readonly definition: AnyPluginDefinition;
}

/** Where a plugin package ships its options' JSON Schema, as a file in the package and as its `exports` key. */
export const PLUGIN_OPTIONS_SCHEMA_FILE = 'schema/options.schema.json';

const KINDS: readonly PluginKind[] = ['source', 'sink', 'spawner'];

/** The built-ins by their short names: always known to the config's JSON Schema. */
export function builtinKnownPlugins(): KnownPlugin[] {
  return Object.entries(builtinPlugins).map(([use, definition]) => ({ use, definition: definition as AnyPluginDefinition }));
}

/**
 * The JSON Schema of `kurultai.config.yaml`, from the zod schema the loader validates with. Under each of `source`,
 * `sink` and `spawner`, a section whose `use:` names one of `plugins` (a built-in, a package or a path) has its `with:`
 * checked by that plugin's own options schema (`if`/`then` on `use`); any other `use:` is left to the loader, which
 * checks it when it loads the plugin.
 */
export function configJsonSchema(plugins: readonly KnownPlugin[]): object {
  const base = z.toJSONSchema(configFileSchema, { io: 'input' }) as { properties: Record<string, object> };
  const properties = { ...base.properties };
  for (const kind of KINDS) {
    const conditions = plugins
      .filter((plugin) => plugin.definition.kind === kind)
      .map((plugin) => ({
        if: { properties: { use: { const: plugin.use } }, required: ['use'] },
        then: { properties: { with: nestableOptionsJsonSchema(plugin) } },
      }));
    if (conditions.length > 0) properties[kind] = { ...properties[kind], allOf: conditions };
  }
  return { ...base, properties, title: 'Kurultai kurultai.config.yaml: the source, sink and spawner plugins, the rules and the dispatcher' };
}

/**
 * A plugin's options (what goes under `with:`) as a JSON Schema of its own, from its zod options schema: what a plugin
 * package ships as `schema/options.schema.json` (`kurultai-write-options-schema` writes it). It can be nested in the
 * config's schema, so it has no definitions (`$defs`) of its own.
 */
export function pluginOptionsJsonSchema(plugin: KnownPlugin): object {
  const schema = z.toJSONSchema(plugin.definition.options, { io: 'input' });
  if ('$defs' in schema) throw new Error(`plugin ${plugin.use}: its options schema uses definitions ($defs), which cannot be nested in the config's schema`);
  return { ...schema, description: schema.description ?? `The options of the ${plugin.use} ${plugin.definition.kind} plugin, under \`with:\`.` };
}

/** The options' schema to nest under `with:`: without a dialect (`$schema`) of its own, which only a root may declare. */
function nestableOptionsJsonSchema(plugin: KnownPlugin): object {
  const { $schema: _dialect, ...schema } = pluginOptionsJsonSchema(plugin) as { $schema?: string };
  return schema;
}

/**
 * Every JSON Schema shipped in `@kurultai/core/schema/`, keyed by file name: the rules files' and the config file's, the
 * latter knowing the built-ins only (`kurultai schema` writes one that also knows a project's plugins).
 * `scripts/write-schemas.mjs` writes them; a test fails while the committed files are stale.
 */
export function shippedJsonSchemas(): Readonly<Record<string, object>> {
  return { ...rulesJsonSchemas(), 'config.schema.json': configJsonSchema(builtinKnownPlugins()) };
}
