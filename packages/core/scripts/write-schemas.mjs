// Writes the JSON Schemas of the rules files and of kurultai.config.yaml (the built-ins only) into schema/, from the
// built package. Run after a change to the zod schemas: `pnpm --filter @kurultai/core run schemas`. A test fails while
// the committed files are stale.
import { writeFileSync } from 'node:fs';
import { shippedJsonSchemas } from '../dist/index.js';

for (const [file, schema] of Object.entries(shippedJsonSchemas())) {
  writeFileSync(new URL(`../schema/${file}`, import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
}
