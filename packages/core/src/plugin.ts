import type { z } from 'zod';

/** Structured log lines. Plugins log through this and nothing else, so secrets are redacted in one place. */
export interface Logger {
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void;
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** What every plugin is handed when it is created: it asks for nothing global. */
export interface PluginContext {
  /** Already scoped to the plugin (`plugin` field) and redacting every secret the config references. */
  readonly logger: Logger;
  /** The environment the config's `${VAR}` references were resolved from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The folder relative paths in the plugin's options are resolved against (the config file's folder). */
  readonly baseDir: string;
}

/** The three plugin kinds, as named in `kurultai.config.yaml`. */
export type PluginKind = 'source' | 'sink' | 'spawner';

/**
 * The part every plugin definition shares: a name, a schema for its options (`with:` in the config), and a factory.
 * The schema is a zod schema so the config loader reports bad options as `path:line:col` and can emit a JSON Schema.
 */
export interface PluginDefinition<Kind extends PluginKind, Options, Instance> {
  readonly kind: Kind;
  /** Bumped when the contract changes incompatibly; the loader refuses versions it does not know. */
  readonly specificationVersion: 'v1';
  /** The plugin's name, used in logs and errors (`plugin <name>`), e.g. `notion`. */
  readonly name: string;
  readonly options: z.ZodType<Options>;
  create(options: Options, context: PluginContext): Instance | Promise<Instance>;
}

/** What a plugin author writes: the definition without the fields Kurultai fills in. */
export interface PluginSpec<Schema extends z.ZodType, Instance> {
  readonly name: string;
  readonly options: Schema;
  create(options: z.output<Schema>, context: PluginContext): Instance | Promise<Instance>;
}

/** Makes the `defineSource` / `defineSink` / `defineSpawner` helpers: one shape for all three kinds. */
export function pluginDefiner<Kind extends PluginKind, Instance>(kind: Kind) {
  return <Schema extends z.ZodType>(spec: PluginSpec<Schema, Instance>): PluginDefinition<Kind, z.output<Schema>, Instance> => ({
    kind,
    specificationVersion: 'v1',
    name: spec.name,
    options: spec.options as z.ZodType<z.output<Schema>>,
    create: (options, context) => spec.create(options, context),
  });
}
