import { describeSinkConformance } from '@kurultai/core/testing';
import { createNeo4jSink } from './neo4j-sink.js';
import { testConnection, wipeGraph } from '../test-server/test-sink.js';

// Every sink instance the suite opens has its own driver, as a separate worker process would. The store is the test
// run's one Neo4j database, emptied for each test (Community Edition has a single user database).
describeSinkConformance('neo4j', {
  createStore: async () => {
    await wipeGraph();
    return {
      openSink: async () => createNeo4jSink({ env: testConnection() }),
      dispose: async () => undefined,
    };
  },
  shortLeaseMs: 500,
});
