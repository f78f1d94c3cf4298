import { Ajv2020 } from 'ajv/dist/2020.js';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BUNDLED_RULES } from './rules-folder.js';

// The default council the CLI ships (the build's copy of the repository's rules/): what an installed `kurultai` routes
// with, and what a user copies to start a rules folder of their own. Editors find each file's schema through its
// `# yaml-language-server: $schema=` line, which a path into the repository would break.

const REPOSITORY_RULES = join(BUNDLED_RULES, '../../../rules');
const CORE_SCHEMAS = join(BUNDLED_RULES, '../../core/schema');
const SCHEMA_LINE = /^# yaml-language-server: \$schema=(\S+)$/m;

const rulesFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.yaml')).sort();

/** The schema file a rules file names, resolved as editors resolve it: relative to the rules file. */
function namedSchema(file: string): string {
  const named = SCHEMA_LINE.exec(readFileSync(file, 'utf8'))?.[1];
  if (named === undefined) throw new Error(`${file} has no $schema line`);
  return resolve(dirname(file), named);
}

let elsewhere: string;

beforeAll(() => {
  if (!existsSync(join(BUNDLED_RULES, 'agents.yaml'))) throw new Error('packages/cli is not built: run `pnpm turbo run build` first (scripts/test does)');
  elsewhere = mkdtempSync(join(tmpdir(), 'kurultai-rules-copy-'));
});

afterAll(() => rmSync(elsewhere, { recursive: true, force: true }));

describe('the rules shipped with the CLI', () => {
  it("are the repository's rules files, each line the same but the $schema one", () => {
    expect(rulesFiles(BUNDLED_RULES)).toEqual(rulesFiles(REPOSITORY_RULES));
    for (const name of rulesFiles(BUNDLED_RULES)) {
      const withoutSchemaLine = (dir: string) => readFileSync(join(dir, name), 'utf8').replace(SCHEMA_LINE, '');
      expect(withoutSchemaLine(BUNDLED_RULES), name).toBe(withoutSchemaLine(REPOSITORY_RULES));
    }
  });

  it('name, each, a schema that exists inside the shipped rules folder', () => {
    for (const name of rulesFiles(BUNDLED_RULES)) {
      const schema = namedSchema(join(BUNDLED_RULES, name));
      expect(existsSync(schema), `${name} names ${schema}`).toBe(true);
      expect(relative(BUNDLED_RULES, schema), name).toMatch(/^schema\/[\w.-]+\.schema\.json$/);
    }
  });

  it('are each valid against the schema they name', () => {
    for (const name of rulesFiles(BUNDLED_RULES)) {
      const file = join(BUNDLED_RULES, name);
      const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(namedSchema(file), 'utf8')) as object);
      validate(parse(readFileSync(file, 'utf8')));
      expect(validate.errors ?? [], name).toEqual([]);
    }
  });

  it('carry the schemas @kurultai/core ships, unchanged', () => {
    for (const name of readdirSync(join(BUNDLED_RULES, 'schema'))) {
      expect(readFileSync(join(BUNDLED_RULES, 'schema', name), 'utf8'), name).toBe(readFileSync(join(CORE_SCHEMAS, name), 'utf8'));
    }
  });

  it("still resolve their $schema lines once the folder is copied elsewhere, as into a user's project", () => {
    const copy = join(elsewhere, 'rules');
    cpSync(BUNDLED_RULES, copy, { recursive: true });
    for (const name of rulesFiles(copy)) expect(existsSync(namedSchema(join(copy, name))), name).toBe(true);
  });
});

