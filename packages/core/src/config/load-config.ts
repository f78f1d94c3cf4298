import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { KurultaiError, type Place, type Problem } from '../errors.js';
import { dispatcherEnvOverrides, type DispatcherSettings } from '../dispatcher/settings.js';
import { Secrets } from '../logging/secrets.js';
import type { PluginKind } from '../plugin.js';
import { parseYaml, type YamlDocument } from '../yaml/parse-yaml.js';
import { schemaProblems } from '../yaml/schema-problems.js';
import { configFileSchema } from './config-schema.js';
import { resolveEnvironmentReferences } from './environment-references.js';

/** The config file `kurultai run` looks for in the working directory when none is named. */
export const CONFIG_FILE_NAME = 'kurultai.config.yaml';

/** A plugin the config chose, before it is loaded: what to load, its options, and where they were written. */
export interface PluginChoice {
  readonly kind: PluginKind;
  readonly use: string;
  readonly options: Readonly<Record<string, unknown>>;
  /** Where an option was written, for reporting the plugin's own schema issues as `path:line:col`. */
  readonly document: YamlDocument | undefined;
  readonly optionsPath: readonly PropertyKey[];
}

/** A loaded, validated config, with its environment references resolved. */
export interface KurultaiConfig {
  /** The file read, or undefined when none was found and the embedded defaults are in force. */
  readonly file: string | undefined;
  /** Relative paths in the config and in plugin options are resolved against this folder. */
  readonly baseDir: string;
  /** The rules folder, absolute; undefined means the default council. */
  readonly rulesDir: string | undefined;
  readonly dispatcher: DispatcherSettings;
  readonly plugins: Readonly<Record<PluginKind, PluginChoice>>;
  /** Every value resolved from `${VAR}`: the logger and the CLI's output never print them. */
  readonly secrets: Secrets;
}

export interface LoadConfigOptions {
  /** The file named by `--config`; it must exist. Without it, `kurultai.config.yaml` in `cwd` is used if present. */
  readonly file?: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Reads `kurultai.config.yaml` (or the embedded defaults), resolves `${VAR}` references, applies the `KURULTAI_*`
 * environment overrides to the dispatcher settings, and validates the whole. Throws a `KurultaiError` (`config_invalid`)
 * carrying every problem, each at its `path:line:col`; nothing is half-loaded.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<KurultaiConfig> {
  const file = configFileFor(options);
  const secrets = new Secrets();
  const document = file === undefined ? undefined : await parseConfigFile(file);
  const placeOf = (path: readonly PropertyKey[]): Place => document?.placeOf(path) ?? {};
  const resolved = resolveEnvironmentReferences(document?.data ?? {}, options.env, secrets, placeOf);
  if (resolved.problems.length > 0) throw invalid(file, resolved.problems);

  // An empty file parses to null: it means "all defaults", like no file at all.
  const raw = resolved.value ?? {};
  const { overrides, origins } = dispatcherEnvOverrides(options.env);
  const withOverrides = isRecord(raw) ? { ...raw, dispatcher: mergeSettings(raw.dispatcher, overrides) } : raw;
  const parsed = configFileSchema.safeParse(withOverrides);
  if (!parsed.success) throw invalid(file, describeIssues(parsed.error.issues, document, origins, options.env));

  const config = parsed.data;
  const baseDir = file === undefined ? resolve(options.cwd) : dirname(file);
  const choice = (kind: PluginKind): PluginChoice => ({ kind, ...config[kind], options: config[kind].with, document, optionsPath: [kind, 'with'] });
  return {
    file,
    baseDir,
    rulesDir: config.rules === undefined ? undefined : resolve(baseDir, config.rules),
    dispatcher: config.dispatcher,
    plugins: { source: choice('source'), sink: choice('sink'), spawner: choice('spawner') },
    secrets,
  };
}

function configFileFor(options: LoadConfigOptions): string | undefined {
  if (options.file !== undefined) return resolve(options.cwd, options.file);
  const implicit = resolve(options.cwd, CONFIG_FILE_NAME);
  return existsSync(implicit) ? implicit : undefined;
}

async function parseConfigFile(file: string): Promise<YamlDocument> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const missing = error instanceof Error && 'code' in error && error.code === 'ENOENT';
    throw new KurultaiError('config_unreadable', missing ? 'config file not found' : `cannot read the config file: ${String(error)}`, { place: { file } });
  }
  const parsed = parseYaml(bytes, file);
  if (!parsed.ok) throw invalid(file, parsed.problems);
  return parsed.document;
}

/** The file's `dispatcher:` section with the environment's overrides on top (`retries` merged field by field). */
function mergeSettings(section: unknown, overrides: Readonly<Record<string, unknown>>): unknown {
  if (Object.keys(overrides).length === 0) return section;
  const base = isRecord(section) ? section : {};
  const retries = isRecord(overrides.retries) ? { ...(isRecord(base.retries) ? base.retries : {}), ...overrides.retries } : base.retries;
  return { ...base, ...overrides, ...(retries === undefined ? {} : { retries }) };
}

/** Issues on values that came from the environment are reported against the variable; the rest at their place in the file. */
function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  document: YamlDocument | undefined,
  origins: ReadonlyMap<string, string>,
  env: Readonly<Record<string, string | undefined>>,
): Problem[] {
  const fromFile: z.core.$ZodIssue[] = [];
  const problems: Problem[] = [];
  for (const issue of issues) {
    const variable = issue.path[0] === 'dispatcher' ? origins.get(issue.path.slice(1).join('.')) : undefined;
    if (variable !== undefined) problems.push({ place: {}, message: `${variable}=${JSON.stringify(env[variable])}: ${issue.message}` });
    else fromFile.push(issue);
  }
  const placed = document === undefined ? fromFile.map((issue) => ({ place: {}, message: issue.message })) : schemaProblems(document, fromFile);
  return [...placed, ...problems];
}

function invalid(file: string | undefined, problems: readonly Problem[]): KurultaiError {
  const first = problems[0];
  const count = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return new KurultaiError('config_invalid', `${first?.message ?? 'invalid config'}${count}`, {
    place: first?.place ?? (file === undefined ? {} : { file }),
    problems,
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
