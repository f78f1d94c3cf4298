import { readFile, readdir } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configJsonSchema, builtinKnownPlugins, shippedJsonSchemas, type KnownPlugin } from './config-json-schema.js';
import type { AnyPluginDefinition } from './load-plugins.js';

const SCHEMA_DIR = new URL('../../schema/', import.meta.url);
const EXAMPLE_CONFIG = new URL('../../../../examples/kurultai.config.yaml', import.meta.url);
// The first-party plugin packages depend on core, so core reaches them through the workspace, as its schema script does.
const NOTION_SOURCE = new URL('../../../source-notion/src/index.ts', import.meta.url).href;

let firstParty: KnownPlugin[] = [];
beforeAll(async () => {
  const notion = (await import(NOTION_SOURCE)) as { default: AnyPluginDefinition };
  firstParty = [{ use: '@kurultai/source-notion', definition: notion.default }];
});

/** The problems the JSON Schema finds in a config, as an editor would show them: empty when the config is valid. */
function editorProblems(config: unknown): string[] {
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(configJsonSchema([...builtinKnownPlugins(), ...firstParty]));
  validate(config);
  return (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
}

describe('the shipped JSON Schemas', () => {
  it('match the zod schemas of the rules, the config and the first-party plugins (run `pnpm --filter @kurultai/core run schemas` if not)', async () => {
    for (const [file, schema] of Object.entries(shippedJsonSchemas(firstParty))) {
      const shipped: unknown = JSON.parse(await readFile(new URL(file, SCHEMA_DIR), 'utf8'));
      expect(shipped, file).toEqual(schema);
    }
  });

  it('are all generated: no stray file in schema/', async () => {
    expect((await readdir(SCHEMA_DIR)).sort()).toEqual(Object.keys(shippedJsonSchemas(firstParty)).sort());
  });
});

describe("the config file's JSON Schema", () => {
  it('accepts the example config, which names it on its first line', async () => {
    const text = await readFile(EXAMPLE_CONFIG, 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../packages/core/schema/config.schema.json');
    expect(editorProblems(parse(text))).toEqual([]);
  });

  it("checks a built-in's options under the section whose `use:` names it", () => {
    expect(editorProblems({ sink: { use: 'sqlite', with: { path: 'ledger.db', busyTimeoutMs: -1 } } })).toContain('/sink/with/busyTimeoutMs must be >= 0');
  });

  it("checks a plugin package's options under the section whose `use:` names the package", () => {
    expect(editorProblems({ source: { use: '@kurultai/source-notion', with: { pollIntervalMs: 1000 } } })).toContain("/source/with must have required property 'database'");
    expect(editorProblems({ source: { use: '@kurultai/source-notion', with: { database: '0123456789abcdef0123456789abcdef' } } })).toEqual([]);
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
