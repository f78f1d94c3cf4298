import { Ajv2020 } from 'ajv/dist/2020.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../main.js';
import { projectFolders } from '../project-folders.fixture.js';

const CLI_DIR = fileURLToPath(new URL('../../', import.meta.url));
const FIRST_PARTY_SCHEMA = join(CLI_DIR, 'schema/config.schema.json');
const EXAMPLE_CONFIG = fileURLToPath(new URL('../../../../examples/kurultai.config.yaml', import.meta.url));

interface Finished {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `kurultai ARGS` in `cwd` as the binary would, with captured output. */
async function kurultai(args: readonly string[], cwd: string): Promise<Finished> {
  const [stdout, stderr] = [new PassThrough(), new PassThrough()];
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const code = await main(args, { stdout, stderr, stdin, env: { ...process.env, NO_COLOR: '1' }, cwd });
  stdout.end();
  stderr.end();
  return { code, stdout: await text(stdout), stderr: await text(stderr) };
}

/** A project folder with the given files (folders created). */
const project = projectFolders('kurultai-schema-');

/** The problems a config schema finds in a config, as an editor would show them: empty when the config is valid. */
function editorProblems(schema: object, config: unknown): string[] {
  const validate = new Ajv2020({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
  validate(config);
  return (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
}

const firstPartySchema = (): object => JSON.parse(readFileSync(FIRST_PARTY_SCHEMA, 'utf8')) as object;

// A spawner plugin in a project's own file, made with the zod the engine uses, as a plugin author would.
const ZOD_URL = pathToFileURL(createRequire(fileURLToPath(import.meta.resolve('@kurultai/core'))).resolve('zod')).href;
const PATH_PLUGIN = `import { z } from ${JSON.stringify(ZOD_URL)};
export default {
  specificationVersion: 'v1', kind: 'spawner', name: 'mine',
  options: z.object({ model: z.string(), retries: z.number().int().max(3).default(1) }).strict(),
  create: () => { throw new Error('kurultai schema never creates a plugin'); },
};
`;

describe('kurultai schema', () => {
  it('writes the first-party schema committed in packages/cli/schema/, from the plugin packages installed for the CLI (run `pnpm --filter @kurultai/cli run schemas` if not)', async () => {
    const run = await kurultai(['schema'], CLI_DIR);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toEqual(firstPartySchema());
  });

  it('checks the options of each installed plugin package under the section whose `use:` names it', () => {
    const schema = firstPartySchema();
    expect(editorProblems(schema, { source: { use: '@kurultai/source-notion', with: { pollIntervalMs: 1000 } } })).toContain("/source/with must have required property 'database'");
    expect(editorProblems(schema, { source: { use: '@kurultai/source-notion', with: { database: '0123456789abcdef0123456789abcdef' } } })).toEqual([]);
    expect(editorProblems(schema, { sink: { use: '@kurultai/sink-neo4j', with: { uri: 'neo4j://db:7687', user: 'neo4j' } } })).toContain('/sink/with must NOT have additional properties');
    expect(editorProblems(schema, { spawner: { use: '@kurultai/spawner-openclaw', with: { gatewayUrl: 'ws://127.0.0.1:18789', sesionPrefix: 'k' } } })).toContain('/spawner/with must NOT have additional properties');
  });

  it('accepts the example config, which names the first-party schema on its first line', () => {
    const example = readFileSync(EXAMPLE_CONFIG, 'utf8');
    expect(example.split('\n')[0]).toBe('# yaml-language-server: $schema=../packages/cli/schema/config.schema.json');
    expect(editorProblems(firstPartySchema(), parse(example))).toEqual([]);
  });

  it('knows the options of a plugin the config names by path', async () => {
    const folder = project({ 'my-spawner.mjs': PATH_PLUGIN, 'kurultai.config.yaml': 'spawner:\n  use: ./my-spawner.mjs\n  with: { model: local }\n' });
    const schema = JSON.parse((await kurultai(['schema'], folder)).stdout) as object;
    expect(editorProblems(schema, { spawner: { use: './my-spawner.mjs', with: { model: 'local', retries: 5 } } })).toContain('/spawner/with/retries must be <= 3');
  });

  it('writes the schema to the --out file and says how to name it in the config', async () => {
    const folder = project({ 'kurultai.config.yaml': 'sink:\n  use: sqlite\n' });
    const run = await kurultai(['schema', '--out', '.kurultai/config.schema.json'], folder);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe('wrote .kurultai/config.schema.json, knowing the built-ins\nname it on the config\'s first line: # yaml-language-server: $schema=.kurultai/config.schema.json\n');
    expect(editorProblems(JSON.parse(readFileSync(join(folder, '.kurultai/config.schema.json'), 'utf8')) as object, { sink: { use: 'sqlite', with: { busyTimeoutMs: -1 } } })).toContain('/sink/with/busyTimeoutMs must be >= 0');
  });

  it('fails with the place of a `use:` that names no plugin', async () => {
    const folder = project({ 'kurultai.config.yaml': 'source:\n  use: ./missing-source.mjs\n' });
    const run = await kurultai(['schema'], folder);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^kurultai: .*kurultai\.config\.yaml:2:8.*cannot import "\.\/missing-source\.mjs"/);
  });

  it('leaves out, with a warning, an installed package that ships an options schema but is no plugin', async () => {
    const folder = project({
      'package.json': JSON.stringify({ dependencies: { 'not-a-plugin': '1.0.0' } }),
      'node_modules/not-a-plugin/package.json': JSON.stringify({ name: 'not-a-plugin', type: 'module', exports: { '.': './index.js', './schema/options.schema.json': './options.json' } }),
      'node_modules/not-a-plugin/index.js': 'export default { kind: "source" };\n',
      'node_modules/not-a-plugin/options.json': '{}\n',
    });
    const run = await kurultai(['schema'], folder);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('kurultai: not-a-plugin ships a plugin options schema, but speaks plugin specification undefined; this Kurultai knows v1: left out of the schema\n');
  });

  it("fails naming the project's package.json when it cannot read its dependencies", async () => {
    const folder = project({ 'package.json': '{ "dependencies": ' });
    const run = await kurultai(['schema'], folder);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^kurultai: .*package\.json.*cannot read the project's dependencies: /);
  });

  it('rejects an argument it does not take with exit code 2', async () => {
    expect((await kurultai(['schema', 'extra'], CLI_DIR)).code).toBe(2);
  });
});
