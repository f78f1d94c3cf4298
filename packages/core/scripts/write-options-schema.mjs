#!/usr/bin/env node
// kurultai-write-options-schema: run in a plugin package's folder (its `schemas` script), after its build. Writes the
// JSON Schema of the plugin's options, from the zod schema of the package's default export, to
// schema/options.schema.json, which the package exports and `kurultai schema` finds. The package's own test
// (describeShippedOptionsSchema from @kurultai/core/testing) fails while the committed file is stale.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PLUGIN_OPTIONS_SCHEMA_FILE, pluginOptionsJsonSchema } from '../dist/index.js';

const packageDir = process.cwd();
const { name } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
// The package imports itself by name, through its own `exports`, as its users will.
const entry = createRequire(join(packageDir, 'package.json')).resolve(name);
const { default: definition } = await import(pathToFileURL(entry).href);
if (definition?.options?.safeParse === undefined) {
  console.error(`kurultai-write-options-schema: ${name} has no default export made with defineSource(), defineSink() or defineSpawner()`);
  process.exit(1);
}
const file = join(packageDir, PLUGIN_OPTIONS_SCHEMA_FILE);
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(pluginOptionsJsonSchema({ use: name, definition }), null, 2)}\n`);
