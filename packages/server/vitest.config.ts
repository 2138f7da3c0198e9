import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'server',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    // These are integration tests against real SMTP servers, worker processes and PostgreSQL on a
    // shared 2-core machine; a test that fails once under load is retried once (and reported as
    // retried by vitest), a test that fails twice fails the run.
    retry: 1,
  },
});
