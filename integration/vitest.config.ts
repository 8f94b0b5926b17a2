import { defineProject } from 'vitest/config';

// Both real apps, each on an ephemeral loopback port, talking over real HTTP.
export default defineProject({
  test: {
    name: 'integration',
    include: ['**/*.test.ts'],
    exclude: ['e2e/**', 'node_modules/**'],
    environment: 'node',
    // PostgreSQL for the multi-process suites: TEST_DATABASE_URL, or a throwaway local cluster (skipped, with one
    // line saying how to enable them, when there is neither).
    globalSetup: ['../provider/test/support/postgres-setup.ts'],
  },
});
