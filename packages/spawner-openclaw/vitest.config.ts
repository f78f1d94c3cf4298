import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'spawner-openclaw',
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // One gateway at a time, and only after the other packages' tests (a later `groupOrder`): a gateway competing for
    // 2 cores with Neo4j and the other suites was seen failing its own agent-database maintenance.
    fileParallelism: false,
    sequence: { groupOrder: 1 },
  },
});
