import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { KurultaiError, formatProblem } from '../errors.js';
import { createJsonLogger } from '../logging/json-logger.js';
import { loadConfig } from './load-config.js';
import { loadPlugins, type PluginInstances } from './load-plugins.js';

const zodUrl = pathToFileURL(createRequire(import.meta.url).resolve('zod')).href;

/** Plugin modules written as a third party would: a default export made of plain fields and a zod schema. */
const MODULES = {
  'recording-source.mjs': `import { z } from '${zodUrl}';
export default { kind: 'source', specificationVersion: 'v1', name: 'recording', options: z.strictObject({ label: z.string() }),
  create: (options, context) => { context.logger.info('started with ' + options.label); return { name: options.label, async *read() {}, async writeBack() {} }; } };`,
  'quiet-spawner.mjs': `import { z } from '${zodUrl}';
export default { kind: 'spawner', specificationVersion: 'v1', name: 'quiet', options: z.object({}), create: () => ({ spawn: async () => ({ ok: true, output: '' }) }) };`,
  'future-spawner.mjs': `import { z } from '${zodUrl}';
export default { kind: 'spawner', specificationVersion: 'v9', name: 'future', options: z.object({}), create: () => ({}) };`,
};

const folders: string[] = [];
const opened: PluginInstances[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((plugins) => plugins.sink.close()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function project(configText: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'kurultai-plugins-'));
  folders.push(folder);
  for (const [name, text] of Object.entries(MODULES)) writeFileSync(join(folder, name), text);
  writeFileSync(join(folder, 'kurultai.config.yaml'), configText);
  return folder;
}

async function load(folder: string, env: Record<string, string> = {}) {
  const lines: string[] = [];
  const config = await loadConfig({ cwd: folder, env });
  const logger = createJsonLogger({ write: (line) => lines.push(line), secrets: config.secrets });
  const plugins = await loadPlugins(config, { logger, env });
  opened.push(plugins);
  return { plugins, lines };
}

async function failure(promise: Promise<unknown>): Promise<KurultaiError> {
  const error = await promise.then(() => undefined, (thrown: unknown) => thrown);
  if (!(error instanceof KurultaiError)) throw new Error(`expected a KurultaiError, got ${String(error)}`);
  return error;
}

const CONFIG = (spawner: string, sinkWith = '{ path: ledger.db }') =>
  `source: { use: ./recording-source.mjs, with: { label: "\${LABEL}" } }\nsink: { use: sqlite, with: ${sinkWith} }\nspawner: { use: ${spawner} }\n`;

describe('loadPlugins', () => {
  it('creates built-ins by short name and modules by path, relative to the config file', async () => {
    const folder = project(CONFIG('./quiet-spawner.mjs'));
    const { plugins } = await load(folder, { LABEL: 'inbox' });
    await plugins.sink.init();
    expect(existsSync(join(folder, 'ledger.db'))).toBe(true);
    expect(plugins.source.name).toBe('inbox');
    expect(await plugins.spawner.spawn({} as never)).toEqual({ ok: true, output: '' });
  });

  it("reports a bad option at its path:line:col, naming the plugin", async () => {
    const folder = project(CONFIG('./quiet-spawner.mjs', '{ path: ledger.db, busyTimeoutMs: -1 }'));
    const error = await failure(load(folder, { LABEL: 'inbox' }));
    expect(error.code).toBe('plugin_options_invalid');
    expect(formatProblem(error.problems[0]!)).toMatch(new RegExp(`^${join(folder, 'kurultai.config.yaml')}:2:62 plugin sqlite: busyTimeoutMs: Too small`));
  });

  it('refuses a module whose plugin is of another kind', async () => {
    const folder = project(CONFIG('./recording-source.mjs'));
    const error = await failure(load(folder, { LABEL: 'inbox' }));
    expect(error.toString()).toMatch(/:3:17 plugin \.\/recording-source\.mjs: is a source plugin, not a spawner plugin$/);
  });

  it('refuses a plugin written for a contract version it does not know', async () => {
    const folder = project(CONFIG('./future-spawner.mjs'));
    const error = await failure(load(folder, { LABEL: 'inbox' }));
    expect(error).toMatchObject({ code: 'plugin_invalid', message: 'speaks plugin specification v9; this Kurultai knows v1' });
  });

  it('reports a plugin it cannot find, with its place', async () => {
    const folder = project(CONFIG('kurultai-spawner-that-does-not-exist'));
    const error = await failure(load(folder, { LABEL: 'inbox' }));
    expect(error.code).toBe('plugin_not_found');
    expect(error.place).toMatchObject({ line: 3, plugin: 'kurultai-spawner-that-does-not-exist' });
  });

  it('hands each plugin a logger scoped to it that never prints a secret', async () => {
    const folder = project(CONFIG('./quiet-spawner.mjs'));
    const { lines } = await load(folder, { LABEL: 'tok_9f8e7d6c' });
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ plugin: 'recording', msg: 'started with [redacted]' });
  });
});
