import { readFile, readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { rulesJsonSchemas } from './json-schemas.js';

const SCHEMA_DIR = new URL('../../schema/', import.meta.url);

describe('the shipped JSON Schemas', () => {
  it.each(Object.entries(rulesJsonSchemas()))('%s matches the zod schema (run `pnpm --filter @kurultai/core run schemas` if not)', async (file, schema) => {
    const shipped: unknown = JSON.parse(await readFile(new URL(file, SCHEMA_DIR), 'utf8'));
    expect(shipped).toEqual(schema);
  });

  it('are all generated: no stray file in schema/', async () => {
    expect((await readdir(SCHEMA_DIR)).sort()).toEqual(Object.keys(rulesJsonSchemas()).sort());
  });
});
