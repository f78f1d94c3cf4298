// Writes the JSON Schemas of the rules files and of kurultai.config.yaml into schema/, from the built packages. Run after
// a change to the zod schemas (here or in a first-party plugin): `pnpm --filter @kurultai/core run schemas`. A test fails
// while the committed files are stale.
import { writeFileSync } from 'node:fs';
import { shippedJsonSchemas } from '../dist/index.js';
// The first-party plugin packages, from the workspace (they depend on core, so core cannot depend on them).
import notionSource from '../../source-notion/dist/index.js';

const plugins = [{ use: '@kurultai/source-notion', definition: notionSource }];

for (const [file, schema] of Object.entries(shippedJsonSchemas(plugins))) {
  writeFileSync(new URL(`../schema/${file}`, import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
}
