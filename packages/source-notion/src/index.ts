import { defineSource } from '@kurultai/core';
import { createNotionSource } from './notion-source.js';
import { notionSourceOptions } from './notion-source-options.js';

export { createNotionSource, type NotionSource } from './notion-source.js';
export { notionSourceOptions, type NotionSourceOptions, type NotionSourceOptionsInput } from './notion-source-options.js';
export type { CheckedDatabase } from './database-check.js';
export type { RequestSchedulerStats } from './request-scheduler.js';

/** The Notion source plugin: `source: { use: '@kurultai/source-notion', with: { database: '...' } }`. */
export default defineSource({
  name: 'notion',
  options: notionSourceOptions,
  create: (options, context) => createNotionSource(options, context),
});
