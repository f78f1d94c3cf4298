import { basename } from 'node:path';

/**
 * What a file in a rules folder holds, told by its name: `agents.yaml` the personas, `examples.yaml` (or any
 * `*.examples.yaml`) a labelled set for `kurultai test`, and every other `*.yaml`/`*.yml` routing rules, all merged.
 * Names rather than contents decide, so a file with a mistake is reported against the schema it was meant for.
 */
export type RulesFileKind = 'agents' | 'examples' | 'routing';

export function rulesFileKind(file: string): RulesFileKind {
  const name = basename(file).replace(/\.ya?ml$/, '');
  if (name === 'agents') return 'agents';
  if (name === 'examples' || name.endsWith('.examples')) return 'examples';
  return 'routing';
}
