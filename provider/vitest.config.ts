import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'provider',
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // PostgreSQL for the suites that run on both stores: TEST_DATABASE_URL, or a throwaway local cluster.
    globalSetup: ['test/support/postgres-setup.ts'],
  },
});
