// Copies the repository's default council (rules/*.yaml) into this package's rules/ folder, which is published with
// it: an installed `kurultai` falls back to these when the working directory has no rules/ of its own.
//
// Each file's `# yaml-language-server: $schema=...` line names a schema by a path inside the repository
// (../packages/core/schema/...), which means nothing in an installed package. So the schema it names is copied into
// rules/schema/ and the line is rewritten to `./schema/<name>`: the folder carries its schemas, and the lines resolve
// wherever it is, in node_modules or copied into a user's project.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const source = new URL('../../../rules/', import.meta.url);
const target = new URL('../rules/', import.meta.url);
const schemas = new URL('schema/', target);
const SCHEMA_LINE = /^(# yaml-language-server: \$schema=)(\S+)$/m;

rmSync(target, { recursive: true, force: true });
mkdirSync(schemas, { recursive: true });
for (const name of readdirSync(source).filter((file) => file.endsWith('.yaml'))) {
  const file = new URL(name, source);
  const text = readFileSync(file, 'utf8');
  const named = SCHEMA_LINE.exec(text)?.[2];
  if (named === undefined || /^[a-z]+:/i.test(named)) {
    writeFileSync(new URL(name, target), text);
    continue;
  }
  const schema = new URL(named, file);
  if (!existsSync(schema)) throw new Error(`${fileURLToPath(file)}:1: $schema names ${named}, which does not exist`);
  const shipped = basename(fileURLToPath(schema));
  copyFileSync(schema, new URL(shipped, schemas));
  writeFileSync(new URL(name, target), text.replace(SCHEMA_LINE, `$1./schema/${shipped}`));
}
