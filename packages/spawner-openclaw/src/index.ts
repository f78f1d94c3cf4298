import { defineSpawner } from '@kurultai/core';
import { createOpenClawSpawner, PLUGIN_NAME } from './openclaw-spawner.js';
import { openClawSpawnerOptions } from './options.js';

export { createOpenClawSpawner, PLUGIN_NAME, TOKEN_VARIABLE, type OpenClawSpawner } from './openclaw-spawner.js';
export { openClawSpawnerOptions, type OpenClawSpawnerInput, type OpenClawSpawnerOptions } from './options.js';

/** The `openclaw` spawner plugin: `spawner: { use: '@kurultai/spawner-openclaw', with: { gatewayUrl, capacity } }`. */
export default defineSpawner({
  name: PLUGIN_NAME,
  options: openClawSpawnerOptions,
  create: (options, context) => createOpenClawSpawner(options, context),
});
