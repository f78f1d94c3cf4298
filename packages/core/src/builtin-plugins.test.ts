import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { builtinPlugins } from './builtin-plugins.js';
import type { Logger } from './plugin.js';
import type { TaskInput } from './task.js';

const everyPlugin = Object.entries(builtinPlugins).map(([key, plugin]) => ({ key, kind: plugin.kind, plugin }));

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));

function warningsInto(warnings: string[]): Logger {
  const ignore = () => undefined;
  return {
    debug: ignore,
    info: ignore,
    warn: (message) => void warnings.push(message),
    error: (message) => void warnings.push(message),
  };
}

describe('built-in plugins', () => {
  it('offers the file source, the sqlite sink and the process and echo spawners by short name', () => {
    expect(everyPlugin.map(({ kind, key }) => `${kind}:${key}`)).toEqual([
      'source:file',
      'sink:sqlite',
      'spawner:process',
      'spawner:echo',
    ]);
  });

  it.each(everyPlugin)('names $kind $key by its short name', ({ key, plugin }) => {
    expect(plugin.name).toBe(key);
  });

  it.each(everyPlugin)("turns the options schema of $kind $key into a JSON Schema for users' editors", ({ plugin }) => {
    const schema = z.toJSONSchema(plugin.options, { io: 'input' });
    expect(schema).toMatchObject({ type: 'object', additionalProperties: false });
  });
});

describe('the examples folder', () => {
  it('holds a config whose every plugin is a built-in and whose options that built-in accepts', async () => {
    const config = parse(await readFile(`${examples}kurultai.config.yaml`, 'utf8')) as Record<
      'source' | 'sink' | 'spawner',
      { use: keyof typeof builtinPlugins; with: unknown }
    >;
    for (const kind of ['source', 'sink', 'spawner'] as const) {
      const plugin = builtinPlugins[config[kind].use];
      expect(plugin?.kind, `${kind} ${config[kind].use}`).toBe(kind);
      expect(plugin?.options.safeParse(config[kind].with).error).toBeUndefined();
    }
  });

  it('holds at least twenty sample tasks with unique ids that the file source reads without a problem', async () => {
    const warnings: string[] = [];
    const source = await builtinPlugins.file.create(builtinPlugins.file.options.parse({ path: '.' }), {
      logger: warningsInto(warnings),
      env: {},
      baseDir: examples,
    });
    const tasks: TaskInput[] = [];
    for await (const batch of source.read({ cursor: undefined, follow: false, signal: new AbortController().signal })) {
      tasks.push(...batch.tasks);
    }
    expect(warnings).toEqual([]);
    expect(tasks.length).toBeGreaterThanOrEqual(20);
    expect(new Set(tasks.map((task) => task.id)).size).toBe(tasks.length);
  });

  it('holds a stand-in agent that answers the process spawner', async () => {
    const spawner = await builtinPlugins.process.create(
      builtinPlugins.process.options.parse({ command: process.execPath, args: ['agents/echo-agent.mjs'] }),
      { logger: warningsInto([]), env: {}, baseDir: examples },
    );
    const outcome = await spawner.spawn({
      taskId: 'ex-001',
      attempt: 1,
      idempotencyKey: 'ex-001:1',
      agent: { id: 'mongke', name: 'Möngke', spawn: {} },
      prompt: 'You are Möngke.\nResearch the task.',
      timeoutMs: 30_000,
      signal: new AbortController().signal,
    });
    expect(outcome).toEqual({
      ok: true,
      output: 'mongke looked at task ex-001 (attempt 1); the prompt began: You are Möngke.',
      runId: expect.any(String),
    });
  });
});
