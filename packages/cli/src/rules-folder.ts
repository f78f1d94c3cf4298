import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParseArgsOptionsConfig } from 'node:util';

/**
 * The default council shipped inside this package: the build copies the repository's `rules/` to `packages/cli/rules/`,
 * which is in the published files, so an installed `kurultai` routes with it wherever it runs.
 */
export const BUNDLED_RULES = fileURLToPath(new URL('../rules/', import.meta.url));

export const RULES_OPTION: ParseArgsOptionsConfig = { rules: { type: 'string', short: 'r' } };

export const RULES_HELP = `  -r, --rules DIR  the rules folder (default: ./rules when it exists, else the council shipped with kurultai)`;

/** The rules folder a command uses: `--rules`, else `rules/` in the working directory, else the bundled council. */
export function rulesFolder(option: string | boolean | undefined, cwd: string): string {
  if (typeof option === 'string') return resolve(cwd, option);
  const local = resolve(cwd, 'rules');
  return existsSync(local) ? local : BUNDLED_RULES;
}
