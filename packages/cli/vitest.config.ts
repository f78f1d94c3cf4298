import { defineProject } from 'vitest/config';

export default defineProject({
  // Each test runs the built binary, which loads the fitted council: a second or more on a busy machine.
  test: { name: 'cli', include: ['src/**/*.test.ts'], testTimeout: 30_000 },
});
