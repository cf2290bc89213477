import { defineConfig } from 'vitest/config';

// One suite, run on every database target: DATABASE_URL set = the real server, unset = embedded PGlite.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
  },
});
