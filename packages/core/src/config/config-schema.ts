import { z } from 'zod';
import { dispatcherSettingsSchema } from '../dispatcher/settings.js';

/** One plugin as the config names it: what to load (`use`) and its options (`with`, checked by the plugin's own schema). */
const pluginReference = (use: string, options: Record<string, unknown>) =>
  z
    .strictObject({
      use: z.string().min(1).describe('A built-in name (`sqlite`, `file`, `process`, `echo`), a package name, or a path to a module.'),
      with: z.record(z.string(), z.unknown()).default({}).describe("The plugin's options, validated by the plugin's schema."),
    })
    .default({ use, with: options });

/**
 * `kurultai.config.yaml`. Every section has a default, and together the defaults are the embedded set-up: tasks from
 * `examples/`, a sqlite ledger in `.kurultai/`, the `echo` spawner.
 */
export const configFileSchema = z.strictObject({
  source: pluginReference('file', { path: 'examples' }),
  sink: pluginReference('sqlite', { path: '.kurultai/ledger.db' }),
  spawner: pluginReference('echo', {}),
  /** The rules folder (`agents.yaml`, `routing.yaml`), relative to the config file. Default: the default council. */
  rules: z.string().min(1).optional(),
  dispatcher: dispatcherSettingsSchema,
});

export type ConfigFile = z.output<typeof configFileSchema>;
