// Test runner settings: one embedded PostgreSQL for the run (global setup), a fresh database per test file.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 90_000,
    pool: 'forks',
    // Vitest's default (cores - 1) runs one file at a time on 2 cores, while most of a file's time is spent
    // waiting (PostgreSQL, timers, child processes): three at once keep both cores busy.
    maxWorkers: 3,
  },
});
