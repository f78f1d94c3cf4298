import { builtinKnownPlugins, configJsonSchema, loadConfig } from '@kurultai/core';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { EXIT, UsageError, type Command } from '../command.js';
import { CONFIG_HELP, CONFIG_OPTION } from './load-setup.js';
import { projectPlugins } from './schema-plugins.js';

export const schemaCommand: Command = {
  name: 'schema',
  usage: '[--config FILE] [--out FILE]',
  summary: "write kurultai.config.yaml's JSON Schema, knowing your plugins' options, for your editor",
  description: `Prints the JSON Schema of kurultai.config.yaml (or writes it to FILE with --out): the config's keys, and the
options under \`with:\` of the built-ins, of the plugins the config names (packages and paths), and of the plugin
packages installed for the project (dependencies of the nearest package.json that export schema/options.schema.json).
Name it on the config's first line, \`# yaml-language-server: $schema=FILE\`, for completion and checks in editors.
The config is loaded as \`kurultai run\` loads it, so the environment variables it references must be set.

${CONFIG_HELP}
  -o, --out FILE     write the schema to FILE (folders created) instead of standard output`,
  options: { ...CONFIG_OPTION, out: { type: 'string', short: 'o' } },
  async run({ values, positionals }, context) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"`);
    const file = typeof values.config === 'string' ? values.config : undefined;
    const config = await loadConfig({ cwd: context.cwd, env: context.env, ...(file === undefined ? {} : { file }) });
    const plugins = await projectPlugins(config, (message) => context.stderr(`kurultai: ${message}\n`));
    const text = `${JSON.stringify(configJsonSchema([...builtinKnownPlugins(), ...plugins]), null, 2)}\n`;
    if (typeof values.out !== 'string') {
      context.stdout(text);
      return EXIT.ok;
    }
    const out = resolve(context.cwd, values.out);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, text);
    const known = plugins.length === 0 ? 'the built-ins' : `the built-ins and ${plugins.map((plugin) => plugin.use).join(', ')}`;
    context.stdout(`wrote ${values.out}, knowing ${known}\n`);
    context.stdout(`name it on the config's first line: # yaml-language-server: $schema=${relative(config.baseDir, out)}\n`);
    return EXIT.ok;
  },
};
