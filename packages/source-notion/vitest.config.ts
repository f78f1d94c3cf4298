import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'source-notion', include: ['src/**/*.test.ts'] },
});
