// The committed migrations are the schema: they apply cleanly (also concurrently) and match src/db/schema.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, runMigrations } from '../../src/db/migrate.js';
import { createTestDatabase } from '../helpers/database.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

describe('migrations', () => {
  it('agree with the Drizzle schema (drizzle-kit generates nothing new)', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'docrpc-drift-'));
    try {
      await cp(MIGRATIONS_DIR, out, { recursive: true });
      const before = await readdir(out);
      // drizzle-kit prefixes --out with './' (an absolute path breaks) and exits 0 even when it fails,
      // so the path is relative and the verdict is read from what it prints.
      const { stdout, stderr } = await run(
        path.join(root, 'node_modules/.bin/drizzle-kit'),
        [
          'generate',
          '--dialect=postgresql',
          '--schema=./src/db/schema/index.ts',
          `--out=${path.relative(root, out)}`,
          '--name=drift',
        ],
        { cwd: root, timeout: 60_000 },
      );
      const after = await readdir(out);
      const added = after.filter((file) => !before.includes(file));
      expect(added, 'schema changed without a migration: run `npm run db:generate`').toEqual([]);
      expect(stderr).not.toMatch(/Error/);
      expect(stdout).toContain('No schema changes');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('apply to an empty database from several processes at once without racing', async () => {
    const database = await createTestDatabase();
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      await sql`drop schema public cascade`;
      await sql`drop schema if exists drizzle cascade`;
      await sql`create schema public`;
      await Promise.all([
        runMigrations(database.url),
        runMigrations(database.url),
        runMigrations(database.url),
      ]);
      const tables = await sql<{ table_name: string }[]>`
        select table_name from information_schema.tables where table_schema = 'public' order by table_name`;
      expect(tables.map((t) => t.table_name)).toContain('users');
      const applied = await sql<
        { count: number }[]
      >`select count(*)::int as count from drizzle.__drizzle_migrations`;
      const journal = (await readdir(MIGRATIONS_DIR)).filter((file) => file.endsWith('.sql'));
      expect(applied[0]?.count).toBe(journal.length);
    } finally {
      await sql.end();
      await database.drop();
    }
  });

  it('enforce case-insensitive unique emails and usernames', async () => {
    const database = await createTestDatabase();
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      await sql`insert into users (username, email, password_hash) values ('Ada', 'ada@example.com', 'x')`;
      await expect(
        sql`insert into users (username, email, password_hash) values ('other', 'ADA@example.com', 'x')`,
      ).rejects.toMatchObject({ code: '23505' });
      await expect(
        sql`insert into users (username, email, password_hash) values ('ADA', 'b@example.com', 'x')`,
      ).rejects.toMatchObject({ code: '23505' });
    } finally {
      await sql.end();
      await database.drop();
    }
  });
});
