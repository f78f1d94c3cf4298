import { defineSink } from '@kurultai/core';
import { neo4jSinkOptionsSchema } from './connection-settings.js';
import { createNeo4jSink } from './neo4j-sink.js';

export { createNeo4jSink, type CreateNeo4jSinkOptions } from './neo4j-sink.js';
export { neo4jSinkOptionsSchema, type Neo4jSinkOptions } from './connection-settings.js';

/**
 * The `neo4j` sink plugin (`sink: { use: '@kurultai/sink-neo4j', with: { uri, username, password, database } }`).
 * Settings left out of the config come from `NEO4J_URI`, `NEO4J_USERNAME`, `NEO4J_PASSWORD` and `NEO4J_DATABASE`.
 */
export default defineSink({
  name: 'neo4j',
  options: neo4jSinkOptionsSchema,
  create: (options, context) => createNeo4jSink({ ...options, env: context.env, logger: context.logger }),
});
