// Starts one PostgreSQL for the whole run (embedded, or TEST_DATABASE_URL) and migrates a template database
// that each test file clones: a clone takes milliseconds where migrating would take much longer.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../src/config.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../src/db/embedded/embedded.js';
import { runMigrations } from '../src/db/migrate.js';
import { startJobQueue } from '../src/jobs/queue.js';

import { createLogger } from '../src/logger.js';
import { TEST_DATABASE_URL } from './test-env.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let embedded: EmbeddedPostgres | undefined;
  let dataDir: string | undefined;
  let adminUrl = TEST_DATABASE_URL;
  if (!adminUrl) {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'docrpc-test-pg-'));
    const logger = createLogger({ logLevel: 'warn', logPretty: false });
    embedded = await startEmbeddedPostgres({ dataDir, port: 0, logger, ephemeral: true });
    adminUrl = embedded.url;
  }
  const templateDatabase = `docrpc_template_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${templateDatabase}"`);
  await admin.unsafe(`create database "${templateDatabase}"`);
  await runMigrations(withDatabase(adminUrl, templateDatabase));
  // pg-boss installs its schema and our queues on first start: do it once here, so clones start fast.
  const quiet = createLogger({ logLevel: 'warn', logPretty: false });
  const boss = await startJobQueue(
    withDatabase(adminUrl, templateDatabase),
    loadConfig({ NODE_ENV: 'test', DATA_DIR: os.tmpdir(), JWT_SECRET: 'x'.repeat(32) }),
    quiet,
  );
  await boss.stop({ graceful: false, close: true });
  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('templateDatabase', templateDatabase);

  return async () => {
    await admin.unsafe(`drop database if exists "${templateDatabase}" with (force)`);
    await admin.end({ timeout: 5 });
    await embedded?.stop();
    if (embedded) await rm(embedded.clusterDir, { recursive: true, force: true });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
