import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    env: { ORCHESTRATOR_LOG_LEVEL: 'silent' },
    pool: 'forks',
  },
});
