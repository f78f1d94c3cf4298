import { loadYaml } from '../yaml/load-yaml.js';
import { compileLoadedFiles, type CouncilCompilation } from './compile-council.js';
import { rulesFileKind } from './rules-file-kind.js';
import { agentsFileSchema, routingFileSchema } from './schema.js';

/**
 * Compiles a council from files held in memory, keyed by file name (`agents.yaml`, `routing.yaml`, ...), with the same
 * checks as a folder on disk. For embedding a council in a program, and for tests. Examples files are ignored.
 */
export function councilFromText(files: Readonly<Record<string, string>>): CouncilCompilation {
  const names = Object.keys(files).sort();
  const agentsName = names.find((name) => rulesFileKind(name) === 'agents');
  if (agentsName === undefined) return { ok: false, problems: [{ place: {}, message: 'no agents.yaml among the files' }] };
  const agents = loadYaml(files[agentsName] ?? '', agentsName, agentsFileSchema);
  const routing = names.filter((name) => rulesFileKind(name) === 'routing').map((name) => loadYaml(files[name] ?? '', name, routingFileSchema));
  return compileLoadedFiles(agents, routing);
}
