// PostgreSQL refuses to run as root: when we are root, the embedded server runs as a `postgres` OS user,
// and its binaries and data must sit where that user can reach them.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface OsUser {
  uid: number;
  gid: number;
}

/** Where root keeps what the postgres user must reach when the project's own path is closed (e.g. /root 0700). */
export const RELOCATION_ROOT = '/var/lib/docrpc';

const POSTGRES_OS_USER = 'postgres';

/** Looks the user up, creating a locked-down system account when it does not exist yet. */
export async function ensurePostgresOsUser(name = POSTGRES_OS_USER): Promise<OsUser> {
  const lookup = async (): Promise<OsUser> => {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  };
  try {
    return await lookup();
  } catch {
    await run('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      name,
    ]);
    return lookup();
  }
}

/** True when `user` may search every directory from `/` down to `target` (the Unix rule, ignoring ACLs). */
export async function canTraverse(target: string, user: OsUser): Promise<boolean> {
  let current = path.resolve(target);
  for (;;) {
    const stat = await fs.stat(current).catch(() => undefined);
    if (stat?.isDirectory()) {
      const bit =
        stat.uid === user.uid
          ? constants.S_IXUSR
          : stat.gid === user.gid
            ? constants.S_IXGRP
            : constants.S_IXOTH;
      if ((stat.mode & bit) === 0) return false;
    }
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

/**
 * Returns a copy of the PostgreSQL install the postgres user can execute. The copy is made once per
 * version (into a temp name, then renamed, so a crash mid-copy never leaves a half copy in use).
 */
export async function reachableInstallDir(nativeDir: string, version: string, user: OsUser): Promise<string> {
  if (await canTraverse(nativeDir, user)) return nativeDir;
  const target = path.join(RELOCATION_ROOT, `postgres-${version}`);
  if (await exists(path.join(target, 'bin', 'postgres'))) return target;
  await fs.mkdir(RELOCATION_ROOT, { recursive: true, mode: 0o755 });
  await fs.chmod(RELOCATION_ROOT, 0o755);
  const staging = `${target}.tmp-${process.pid}`;
  await fs.rm(staging, { recursive: true, force: true });
  await fs.cp(nativeDir, staging, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  await fs.chmod(staging, 0o755);
  await fs.rename(staging, target).catch(async (error: NodeJS.ErrnoException) => {
    // A concurrent start won the race: theirs is complete, drop ours.
    await fs.rm(staging, { recursive: true, force: true });
    if (!(await exists(path.join(target, 'bin', 'postgres')))) throw error;
  });
  return target;
}

/**
 * Returns the real directory for the cluster's data. Normally `DATA_DIR/pg` itself; when the postgres
 * user cannot reach it, the data lives under RELOCATION_ROOT and `DATA_DIR/pg` is a symlink to it, so
 * the same DATA_DIR finds the same data on every start.
 */
export async function reachableDataDir(pgDir: string, user: OsUser): Promise<string> {
  const link = await fs.lstat(pgDir).catch(() => undefined);
  if (link?.isSymbolicLink()) return fs.realpath(pgDir);
  // DATA_DIR itself with ordinary permissions, before judging whether it can be reached: made by a
  // recursive mkdir with the cluster's 0700 it would shut out the very user the check is for.
  await fs.mkdir(path.dirname(pgDir), { recursive: true });
  if (link || (await canTraverse(path.dirname(pgDir), user))) {
    await fs.mkdir(pgDir, { recursive: true, mode: 0o700 });
    return pgDir;
  }
  const key = createHash('sha256').update(path.resolve(pgDir)).digest('hex').slice(0, 16);
  const target = path.join(RELOCATION_ROOT, `data-${key}`, 'pg');
  await fs.mkdir(target, { recursive: true, mode: 0o700 });
  await fs.chmod(path.dirname(target), 0o755);
  await fs.chmod(RELOCATION_ROOT, 0o755);
  await fs.symlink(target, pgDir);
  return target;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
