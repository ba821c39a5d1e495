// The app config every test harness starts from: a fresh data dir, the given database, quiet but complete logs.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Config, loadConfig } from '../../src/config.js';

/** `env` overrides the defaults here; the data dir is the caller's to remove. */
export async function loadTestConfig(databaseUrl: string, env: Record<string, string> = {}): Promise<Config> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'docrpc-test-data-'));
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: '4',
    DATA_DIR: dataDir,
    JWT_SECRET: 'test-secret-that-is-at-least-32-characters-long',
    LOG_LEVEL: 'debug',
    LOG_PRETTY: 'false',
    SHUTDOWN_TIMEOUT_MS: '3000',
    ...env,
  });
}
