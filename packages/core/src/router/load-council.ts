import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KurultaiError, type Problem } from '../errors.js';
import { loadYamlFile, type YamlLoad } from '../yaml/load-yaml.js';
import { compileLoadedFiles, type CompiledCouncil, type CouncilCompilation } from './compile-council.js';
import { rulesFileKind, type RulesFileKind } from './rules-file-kind.js';
import { agentsFileSchema, examplesFileSchema, routingFileSchema, type ExamplesFile } from './schema.js';

/** The YAML files of a rules folder, by kind, in name order (rule order in the merged set follows it). */
export async function listRulesFolder(dir: string): Promise<Readonly<Record<RulesFileKind, readonly string[]>>> {
  const names = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).sort();
  const files = names.map((name) => join(dir, name));
  return {
    agents: files.filter((file) => rulesFileKind(file) === 'agents'),
    examples: files.filter((file) => rulesFileKind(file) === 'examples'),
    routing: files.filter((file) => rulesFileKind(file) === 'routing'),
  };
}

/**
 * Loads and compiles the council in a rules folder (agents.yaml and every routing file), answering every problem
 * rather than throwing. Examples files are not read.
 */
export async function readCouncil(dir: string): Promise<CouncilCompilation> {
  const folder = await readFolder(dir);
  if (typeof folder === 'string') return { ok: false, problems: [{ place: { file: dir }, message: folder }] };
  const [agentsFile, ...otherAgentsFiles] = folder.agents;
  if (agentsFile === undefined) return { ok: false, problems: [{ place: { file: dir }, message: 'no agents.yaml in this folder' }] };
  if (otherAgentsFiles.length > 0) {
    return { ok: false, problems: otherAgentsFiles.map((file) => ({ place: { file }, message: `a second agents file; the council is already in ${agentsFile}` })) };
  }
  return compileFiles(agentsFile, folder.routing);
}

/**
 * Loads the council in a rules folder, ready to route. Throws a `KurultaiError` (code `rules_invalid`) carrying every
 * problem found; a council is never half-loaded.
 */
export async function loadCouncil(dir: string): Promise<CompiledCouncil> {
  const result = await readCouncil(dir);
  if (result.ok) return result.council;
  throw invalidRules(dir, result.problems);
}

/** Checks the given routing files against an agents file, compiling them as one council. */
export async function compileFiles(agentsFile: string, routingFiles: readonly string[]): Promise<CouncilCompilation> {
  const agents = await loadYamlFile(agentsFile, agentsFileSchema);
  const routing = await Promise.all(routingFiles.map((file) => loadYamlFile(file, routingFileSchema)));
  return compileLoadedFiles(agents, routing);
}

/** A labelled examples file, with every `expect` checked against the council's agents. */
export async function loadExamples(file: string, agentIds: readonly string[]): Promise<YamlLoad<ExamplesFile>> {
  const load = await loadYamlFile(file, examplesFileSchema);
  if (!load.ok) return load;
  const problems: Problem[] = load.value.examples.flatMap((example, index) =>
    agentIds.includes(example.expect)
      ? []
      : [{ place: load.document.placeOf(['examples', index, 'expect']), message: `unknown agent "${example.expect}"; the council has ${agentIds.join(', ')}` }],
  );
  return problems.length > 0 ? { ok: false, problems } : load;
}

function invalidRules(where: string, problems: readonly Problem[]): KurultaiError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new KurultaiError('rules_invalid', `${count} in the rules`, { place: { file: where }, problems });
}

async function readFolder(dir: string): Promise<Awaited<ReturnType<typeof listRulesFolder>> | string> {
  try {
    if (!(await stat(dir)).isDirectory()) return 'not a folder';
    return await listRulesFolder(dir);
  } catch {
    return 'folder not found';
  }
}

