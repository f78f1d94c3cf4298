// Copies the repository's default council (rules/*.yaml) into this package's rules/ folder, which is published with
// it: an installed `kurultai` falls back to these when the working directory has no rules/ of its own.
import { cpSync, readdirSync, rmSync } from 'node:fs';

const source = new URL('../../../rules/', import.meta.url);
const target = new URL('../rules/', import.meta.url);
rmSync(target, { recursive: true, force: true });
for (const name of readdirSync(source).filter((file) => file.endsWith('.yaml'))) cpSync(new URL(name, source), new URL(name, target));
