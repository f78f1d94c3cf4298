import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'sink-neo4j',
    include: ['src/**/*.test.ts'],
    // One Neo4j for the whole run (started here unless NEO4J_URI names one); test files share its single database,
    // so they run one after another.
    globalSetup: ['test-server/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
