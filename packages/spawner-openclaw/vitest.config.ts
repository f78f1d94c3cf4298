import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'spawner-openclaw', include: ['src/**/*.test.ts'] },
});
