import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Most tests wait on child processes or Chromium, so one worker per core, not cores - 1 (the default).
    maxWorkers: '100%',
    setupFiles: ['test/support/node-backends.ts'],
    globalSetup: ['test/support/chromium-setup.ts'],
  },
});
