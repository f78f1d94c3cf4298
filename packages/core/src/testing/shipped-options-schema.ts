import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { PLUGIN_OPTIONS_SCHEMA_FILE, pluginOptionsJsonSchema } from '../config/config-json-schema.js';
import type { AnyPluginDefinition } from '../config/load-plugins.js';

interface PackageJson {
  readonly name: string;
  readonly files?: readonly string[];
  readonly exports?: Readonly<Record<string, unknown>>;
}

/**
 * Specifies that a plugin package ships its options' JSON Schema, up to date with its zod options: in
 * `schema/options.schema.json`, published (`files`) and exported (`exports`), so that `kurultai schema` and editors
 * find it. `packageDir` is the package's folder (`new URL('../', import.meta.url)` from `src/`); the package's
 * `schemas` script (`kurultai-write-options-schema`) rewrites the file when the test says it is stale.
 */
export function describeShippedOptionsSchema(definition: AnyPluginDefinition, packageDir: URL): void {
  const readJson = async <T>(file: string): Promise<T> => JSON.parse(await readFile(new URL(file, packageDir), 'utf8')) as T;
  describe('the shipped options JSON Schema', () => {
    it('matches the zod schema of the options (run the package\'s `schemas` script if not)', async () => {
      const { name } = await readJson<PackageJson>('package.json');
      expect(await readJson(PLUGIN_OPTIONS_SCHEMA_FILE)).toEqual(pluginOptionsJsonSchema({ use: name, definition }));
    });

    it('is published and exported under its own path', async () => {
      const manifest = await readJson<PackageJson>('package.json');
      expect(manifest.files).toContain('schema');
      expect(manifest.exports?.[`./${PLUGIN_OPTIONS_SCHEMA_FILE}`]).toBe(`./${PLUGIN_OPTIONS_SCHEMA_FILE}`);
    });
  });
}
