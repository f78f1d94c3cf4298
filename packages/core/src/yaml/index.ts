export { parseYaml, type YamlDocument, type YamlLimits, type YamlParse } from './parse-yaml.js';
export { loadYaml, loadYamlFile, type YamlLoad } from './load-yaml.js';
export { schemaProblems } from './schema-problems.js';
