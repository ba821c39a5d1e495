// As root, PostgreSQL runs as the `postgres` OS user: what that user cannot reach is relocated, once.
import { randomBytes } from 'node:crypto';
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  realpath,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  canTraverse,
  ensurePostgresOsUser,
  RELOCATION_ROOT,
  reachableDataDir,
  reachableInstallDir,
} from '../../src/db/embedded/postgres-os-user.js';

const cleanup: string[] = [];
afterAll(async () => {
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

async function tempDir(mode: number): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'docrpc-osuser-'));
  await chmod(dir, mode);
  cleanup.push(dir);
  return dir;
}

// These paths exist only for root: an ordinary user runs postgres as itself and relocates nothing.
describe.runIf(process.getuid?.() === 0)('running PostgreSQL as root', () => {
  it('knows which directories the postgres user can traverse', async () => {
    const user = await ensurePostgresOsUser();
    const open = await tempDir(0o755);
    const closed = await tempDir(0o700);
    await mkdir(path.join(closed, 'inner'), { mode: 0o755 });
    expect(await canTraverse(open, user)).toBe(true);
    expect(await canTraverse(closed, user)).toBe(false);
    expect(await canTraverse(path.join(closed, 'inner'), user)).toBe(false);
  });

  it('copies an unreachable install once, keeping its library symlinks', async () => {
    const user = await ensurePostgresOsUser();
    const closed = await tempDir(0o700);
    const native = path.join(closed, 'native');
    await mkdir(path.join(native, 'bin'), { recursive: true });
    await mkdir(path.join(native, 'lib'), { recursive: true });
    await writeFile(path.join(native, 'bin', 'postgres'), '#!/bin/sh\n', { mode: 0o755 });
    await writeFile(path.join(native, 'lib', 'libpq.so.5.18'), 'lib');
    await symlink('libpq.so.5.18', path.join(native, 'lib', 'libpq.so.5'));
    const version = `test-${randomBytes(4).toString('hex')}`;
    const copy = await reachableInstallDir(native, version, user);
    cleanup.push(copy);
    expect(copy).toBe(path.join(RELOCATION_ROOT, `postgres-${version}`));
    expect(await readlink(path.join(copy, 'lib', 'libpq.so.5'))).toBe('libpq.so.5.18');
    expect(await canTraverse(path.join(copy, 'bin'), user)).toBe(true);
    // Second start: no new copy, the same path.
    await writeFile(path.join(native, 'bin', 'postgres'), '#!/bin/sh\n# changed\n');
    expect(await reachableInstallDir(native, version, user)).toBe(copy);
    expect(await readFile(path.join(copy, 'bin', 'postgres'), 'utf8')).toBe('#!/bin/sh\n');
  });

  it('leaves a reachable install where it is', async () => {
    const user = await ensurePostgresOsUser();
    const open = await tempDir(0o755);
    expect(await reachableInstallDir(open, 'unused', user)).toBe(open);
  });

  it('keeps data for an unreachable DATA_DIR in one relocated place, found again through a symlink', async () => {
    const user = await ensurePostgresOsUser();
    const closed = await tempDir(0o700);
    const pgDir = path.join(closed, 'data', 'pg');
    const target = await reachableDataDir(pgDir, user);
    cleanup.push(path.dirname(target));
    expect(target.startsWith(`${RELOCATION_ROOT}/data-`)).toBe(true);
    expect((await lstat(pgDir)).isSymbolicLink()).toBe(true);
    expect(await realpath(pgDir)).toBe(target);
    expect(await reachableDataDir(pgDir, user)).toBe(target);
  });

  it('keeps data in DATA_DIR/pg itself when the postgres user can reach it', async () => {
    const user = await ensurePostgresOsUser();
    const open = await tempDir(0o755);
    const pgDir = path.join(open, 'pg');
    expect(await reachableDataDir(pgDir, user)).toBe(pgDir);
    expect((await lstat(pgDir)).isDirectory()).toBe(true);
  });
});
