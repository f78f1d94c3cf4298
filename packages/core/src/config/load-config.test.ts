import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KurultaiError, formatProblem } from '../errors.js';
import { loadConfig } from './load-config.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A folder holding `kurultai.config.yaml` with the given text. */
function configFolder(text: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'kurultai-config-'));
  folders.push(folder);
  writeFileSync(join(folder, 'kurultai.config.yaml'), text);
  return folder;
}

async function problemsOf(promise: Promise<unknown>): Promise<string[]> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof KurultaiError)) throw new Error(`expected a KurultaiError, got ${String(error)}`);
  return error.problems.map(formatProblem);
}

describe('loadConfig', () => {
  it('uses the embedded defaults when there is no config file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'kurultai-empty-'));
    folders.push(folder);
    const config = await loadConfig({ cwd: folder, env: {} });
    expect(config.file).toBeUndefined();
    expect(config.plugins.source).toMatchObject({ use: 'file', options: { path: 'examples' } });
    expect(config.plugins.sink).toMatchObject({ use: 'sqlite', options: { path: '.kurultai/ledger.db' } });
    expect(config.plugins.spawner).toMatchObject({ use: 'echo', options: {} });
    expect(config.dispatcher).toMatchObject({ maxConcurrentTasks: 3, taskTimeoutSeconds: 300, autoExecute: true });
  });

  it('reads kurultai.config.yaml from the working folder and resolves paths against it', async () => {
    const folder = configFolder('spawner:\n  use: process\n  with: { command: [cat] }\nrules: ./council\n');
    const config = await loadConfig({ cwd: folder, env: {} });
    expect(config.file).toBe(join(folder, 'kurultai.config.yaml'));
    expect(config.plugins.spawner).toMatchObject({ use: 'process', options: { command: ['cat'] } });
    expect(config.rulesDir).toBe(join(folder, 'council'));
  });

  it('replaces ${VAR} references with the environment and registers the values as secrets', async () => {
    const folder = configFolder('source:\n  use: notion\n  with: { token: "${NOTION_TOKEN}", label: "$${literal}" }\n');
    const config = await loadConfig({ cwd: folder, env: { NOTION_TOKEN: 'ntn_abcdef123' } });
    expect(config.plugins.source.options).toEqual({ token: 'ntn_abcdef123', label: '${literal}' });
    expect(config.secrets.redact('sent ntn_abcdef123')).toBe('sent [redacted]');
  });

  it('reports a reference to a variable that is not set at its place', async () => {
    const folder = configFolder('source:\n  use: notion\n  with:\n    token: ${NOTION_TOKEN}\n');
    expect(await problemsOf(loadConfig({ cwd: folder, env: {} }))).toEqual([
      `${join(folder, 'kurultai.config.yaml')}:4:12: environment variable NOTION_TOKEN is not set`,
    ]);
  });

  it('reports every invalid field at its path:line:col', async () => {
    const folder = configFolder('dispatcher:\n  maxConcurrentTasks: 0\n  colour: blue\nspawner:\n  use: ""\n');
    const file = join(folder, 'kurultai.config.yaml');
    const problems = await problemsOf(loadConfig({ cwd: folder, env: {} }));
    expect(problems).toHaveLength(3);
    expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^${file}:2:23: dispatcher.maxConcurrentTasks: `)));
    expect(problems).toContainEqual(`${file}:3:3: unknown field "colour" in dispatcher`);
    expect(problems).toContainEqual(expect.stringMatching(new RegExp(`^${file}:5:8: spawner.use: `)));
  });

  it('reports a YAML syntax error at its place', async () => {
    const folder = configFolder('source: [unclosed\n');
    const [problem] = await problemsOf(loadConfig({ cwd: folder, env: {} }));
    expect(problem).toMatch(new RegExp(`^${join(folder, 'kurultai.config.yaml')}:\\d+:\\d+: `));
  });

  it('fails clearly when the file named by --config does not exist', async () => {
    const folder = configFolder('');
    expect(await problemsOf(loadConfig({ cwd: folder, file: 'missing.yaml', env: {} }))).toEqual([`${join(folder, 'missing.yaml')}: config file not found`]);
  });

  it('takes an empty file as all defaults', async () => {
    const config = await loadConfig({ cwd: configFolder(''), env: {} });
    expect(config.plugins.spawner.use).toBe('echo');
  });

  it('lets KURULTAI_* variables override the dispatcher settings of the file', async () => {
    const folder = configFolder('dispatcher:\n  maxConcurrentTasks: 8\n  retries: { baseDelaySeconds: 5 }\n');
    const env = { KURULTAI_MAX_CONCURRENT_TASKS: '2', KURULTAI_TASK_TIMEOUT_SECONDS: '60', KURULTAI_AUTO_EXECUTE_TASKS: 'false', KURULTAI_MAX_ATTEMPTS: '5' };
    const { dispatcher } = await loadConfig({ cwd: folder, env });
    expect(dispatcher).toMatchObject({ maxConcurrentTasks: 2, taskTimeoutSeconds: 60, autoExecute: false, retries: { maxAttempts: 5, baseDelaySeconds: 5 } });
  });

  it('reports a bad override against its variable', async () => {
    const folder = configFolder('');
    const [problem] = await problemsOf(loadConfig({ cwd: folder, env: { KURULTAI_MAX_CONCURRENT_TASKS: 'lots' } }));
    expect(problem).toMatch(/^KURULTAI_MAX_CONCURRENT_TASKS="lots": /);
  });
});
