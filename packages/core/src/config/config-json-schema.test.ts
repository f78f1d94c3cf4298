import { readFile, readdir } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineSource } from '../source/contract.js';
import { builtinKnownPlugins, configJsonSchema, pluginOptionsJsonSchema, shippedJsonSchemas, type KnownPlugin } from './config-json-schema.js';
import type { AnyPluginDefinition } from './load-plugins.js';

const SCHEMA_DIR = new URL('../../schema/', import.meta.url);

/** A plugin package as a user would write one: its options need a `database` and bound `pollIntervalMs`. */
const packagePlugin: KnownPlugin = {
  use: '@acme/source-tickets',
  definition: defineSource({
    name: 'tickets',
    options: z.object({ database: z.string().min(1), pollIntervalMs: z.number().int().min(1000).default(30_000) }).strict(),
    create: () => {
      throw new Error('the JSON Schema never creates a plugin');
    },
  }) as AnyPluginDefinition,
};

/** The problems the JSON Schema finds in a config, as an editor would show them: empty when the config is valid. */
function editorProblems(config: unknown): string[] {
  const validate = new Ajv2020({ allErrors: true, strict: false, validateFormats: false }).compile(configJsonSchema([...builtinKnownPlugins(), packagePlugin]));
  validate(config);
  return (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
}

describe('the shipped JSON Schemas', () => {
  it('match the zod schemas of the rules and of the config with the built-ins (run `pnpm --filter @kurultai/core run schemas` if not)', async () => {
    for (const [file, schema] of Object.entries(shippedJsonSchemas())) {
      const shipped: unknown = JSON.parse(await readFile(new URL(file, SCHEMA_DIR), 'utf8'));
      expect(shipped, file).toEqual(schema);
    }
  });

  it('are all generated: no stray file in schema/', async () => {
    expect((await readdir(SCHEMA_DIR)).sort()).toEqual(Object.keys(shippedJsonSchemas()).sort());
  });
});

describe("the config file's JSON Schema", () => {
  it("checks a built-in's options under the section whose `use:` names it", () => {
    expect(editorProblems({ sink: { use: 'sqlite', with: { path: 'ledger.db', busyTimeoutMs: -1 } } })).toContain('/sink/with/busyTimeoutMs must be >= 0');
  });

  it("checks a plugin package's options under the section whose `use:` names the package", () => {
    expect(editorProblems({ source: { use: '@acme/source-tickets', with: { pollIntervalMs: 1000 } } })).toContain("/source/with must have required property 'database'");
    expect(editorProblems({ source: { use: '@acme/source-tickets', with: { database: 'support' } } })).toEqual([]);
  });

  it("applies a plugin's options only in its own kind's section", () => {
    expect(editorProblems({ spawner: { use: 'sqlite', with: { anything: true } } })).toEqual([]);
  });

  it('leaves the options of a plugin it does not know (a path, another package) to the loader', () => {
    expect(editorProblems({ spawner: { use: './my-spawner.mjs', with: { model: 'local', retries: 2 } } })).toEqual([]);
  });

  it('rejects a key the config does not have', () => {
    expect(editorProblems({ sorce: { use: 'file' } })).toEqual([' must NOT have additional properties']);
  });
});

describe("a plugin's options JSON Schema", () => {
  it('stands alone: a 2020-12 schema an editor or ajv reads by itself', () => {
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(pluginOptionsJsonSchema(packagePlugin));
    expect(validate({ database: 'support', pollIntervalMs: 10 })).toBe(false);
    expect(validate.errors?.map((error) => `${error.instancePath} ${error.message ?? ''}`)).toEqual(['/pollIntervalMs must be >= 1000']);
  });

  it('says whose options it holds when the zod schema has no description', () => {
    expect(pluginOptionsJsonSchema(packagePlugin)).toMatchObject({ description: 'The options of the @acme/source-tickets source plugin, under `with:`.' });
  });

  it('refuses options whose schema needs definitions, which cannot be nested in the config schema', () => {
    const tree: z.ZodType = z.object({ name: z.string(), get children() { return z.array(tree); } });
    const recursive = { ...packagePlugin, definition: { ...packagePlugin.definition, options: z.object({ root: tree }) } as AnyPluginDefinition };
    expect(() => pluginOptionsJsonSchema(recursive)).toThrow('plugin @acme/source-tickets: its options schema uses definitions ($defs)');
  });
});
