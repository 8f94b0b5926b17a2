import { defineConfig } from 'vitest/config';

// `npm run test:e2e`: real Chromium, so kept out of `npm test`, which must run without a browser.
export default defineConfig({
  test: {
    name: 'e2e',
    root: new URL('.', import.meta.url).pathname,
    include: ['**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
