import { defineProject } from 'vitest/config';

// Both real apps, each on an ephemeral loopback port, talking over real HTTP.
export default defineProject({
  test: { name: 'integration', include: ['**/*.test.ts'], exclude: ['e2e/**', 'node_modules/**'], environment: 'node' },
});
