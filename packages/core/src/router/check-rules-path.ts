import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Problem } from '../errors.js';
import { loadYamlFile } from '../yaml/load-yaml.js';
import { compileFiles, listRulesFolder, loadExamples, readCouncil } from './load-council.js';
import { rulesFileKind } from './rules-file-kind.js';
import { agentsFileSchema } from './schema.js';

/** What `kurultai validate` found at one path. */
export interface RulesCheck {
  readonly problems: readonly Problem[];
  /** What was checked, for a one-line summary when all is well. */
  readonly counts: { readonly agents: number; readonly rules: number; readonly examples: number };
}

/**
 * Checks a rules folder (its council and its examples files) or a single file, as its kind requires: a routing file or
 * an examples file is checked against the agents.yaml beside it. Never throws for bad input; every problem is returned.
 */
export async function checkRulesPath(path: string): Promise<RulesCheck> {
  const isFolder = await stat(path).then((info) => info.isDirectory(), () => false);
  if (isFolder) return checkFolder(path);
  const agentsFile = join(dirname(path), 'agents.yaml');
  switch (rulesFileKind(path)) {
    case 'agents': {
      const council = await compileFiles(path, []);
      return council.ok ? { problems: [], counts: { agents: council.council.agents.length, rules: 0, examples: 0 } } : failed(council.problems);
    }
    case 'routing': {
      const council = await compileFiles(agentsFile, [path]);
      return council.ok ? { problems: [], counts: { agents: council.council.agents.length, rules: council.council.rules.length, examples: 0 } } : failed(council.problems);
    }
    case 'examples': {
      const agents = await loadYamlFile(agentsFile, agentsFileSchema);
      if (!agents.ok) return failed(agents.problems);
      const examples = await loadExamples(path, agents.value.agents.map((agent) => agent.id));
      return examples.ok ? { problems: [], counts: { agents: agents.value.agents.length, rules: 0, examples: examples.value.examples.length } } : failed(examples.problems);
    }
  }
}

async function checkFolder(dir: string): Promise<RulesCheck> {
  const council = await readCouncil(dir);
  if (!council.ok) return failed(council.problems);
  const agentIds = council.council.agents.map((agent) => agent.id);
  const examples = await Promise.all((await listRulesFolder(dir)).examples.map((file) => loadExamples(file, agentIds)));
  const problems = examples.flatMap((load) => (load.ok ? [] : load.problems));
  const exampleCount = examples.reduce((sum, load) => sum + (load.ok ? load.value.examples.length : 0), 0);
  return { problems, counts: { agents: agentIds.length, rules: council.council.rules.length, examples: exampleCount } };
}

function failed(problems: readonly Problem[]): RulesCheck {
  return { problems, counts: { agents: 0, rules: 0, examples: 0 } };
}
