import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { builtinPlugins } from './builtin-plugins.js';

const everyPlugin = Object.entries(builtinPlugins).flatMap(([kind, plugins]) =>
  Object.entries(plugins as Record<string, { kind: string; name: string; options: z.ZodType }>).map(([key, plugin]) => ({ kind, key, plugin })),
);

describe('built-in plugins', () => {
  it('offers the file source, the sqlite sink and the process and echo spawners by short name', () => {
    expect(everyPlugin.map(({ kind, key }) => `${kind}:${key}`)).toEqual(['source:file', 'sink:sqlite', 'spawner:process', 'spawner:echo']);
  });

  it.each(everyPlugin)('files $kind $key under its own kind and name', ({ kind, key, plugin }) => {
    expect(plugin).toMatchObject({ kind, name: key });
  });

  it.each(everyPlugin)("turns the options schema of $kind $key into a JSON Schema for users' editors", ({ plugin }) => {
    const schema = z.toJSONSchema(plugin.options, { io: 'input' });
    expect(schema).toMatchObject({ type: 'object', additionalProperties: false });
  });
});
