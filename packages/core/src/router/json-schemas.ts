import { z } from 'zod';
import { agentsFileSchema, examplesFileSchema, routingFileSchema } from './schema.js';

/**
 * The JSON Schemas of the rules files, generated from the zod schemas the loader validates with, so an editor's YAML
 * language server checks exactly what `kurultai validate` checks (short of cross-file checks such as unknown agents).
 * Keyed by the file name they are shipped under in `@kurultai/core/schema/`.
 */
export function rulesJsonSchemas(): Readonly<Record<string, object>> {
  const entries = [
    ['agents.schema.json', agentsFileSchema, 'Kurultai agents.yaml: the council of agents'],
    ['routing.schema.json', routingFileSchema, 'Kurultai routing rules'],
    ['examples.schema.json', examplesFileSchema, 'Kurultai labelled routing examples'],
  ] as const;
  return Object.fromEntries(
    entries.map(([file, schema, title]) => [file, { ...z.toJSONSchema(schema, { io: 'input' }), title }]),
  );
}
