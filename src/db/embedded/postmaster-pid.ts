// Recovers from a docrpc that was killed with SIGKILL: its postmaster outlives it and holds the data dir.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../logger.js';

/**
 * Reads postmaster.pid; if that postmaster still runs but the process that started it is gone (it was
 * re-parented), stops it so a new one can start. A postmaster whose parent is another live docrpc is
 * left alone and reported: two servers must not share one data dir.
 */
export async function stopOrphanedPostmaster(clusterDir: string, logger: Logger): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  const content = await fs.readFile(pidFile, 'utf8').catch(() => undefined);
  if (content === undefined) return;
  const pid = Number.parseInt(content.split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !(await isPostgres(pid))) {
    // A stale file whose process is gone: postgres itself will overwrite it.
    return;
  }
  const parent = await parentPid(pid);
  if (parent !== undefined && parent > 1 && (await commandLine(parent)).includes('node')) {
    throw new Error(`${clusterDir} is in use by another docrpc (pid ${parent}); stop it first`);
  }
  logger.warn({ pid }, 'stopping an embedded PostgreSQL left running by an earlier, killed docrpc');
  for (const [signal, waitMs] of [
    ['SIGINT', 15_000],
    ['SIGQUIT', 5_000],
    ['SIGKILL', 5_000],
  ] as const) {
    process.kill(pid, signal);
    if (await waitForExit(pid, waitMs)) return;
  }
  throw new Error(`could not stop the leftover PostgreSQL (pid ${pid})`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isAlive(pid) || (await isZombie(pid))) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** An exited orphan stays a zombie until its new parent reaps it: for us it has stopped. */
async function isZombie(pid: number): Promise<boolean> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat?.slice(stat.lastIndexOf(')') + 2).startsWith('Z') ?? false;
}

async function commandLine(pid: number): Promise<string> {
  return fs.readFile(`/proc/${pid}/cmdline`, 'utf8').then(
    (text) => text.replaceAll('\0', ' '),
    () => '',
  );
}

/** Without /proc (macOS) we cannot tell; a live pid from postmaster.pid is then taken to be postgres. */
async function isPostgres(pid: number): Promise<boolean> {
  const hasProc = await fs.access('/proc/self').then(
    () => true,
    () => false,
  );
  return !hasProc || (await commandLine(pid)).includes('postgres');
}

async function parentPid(pid: number): Promise<number | undefined> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // Field 4 after the parenthesised command name, which may itself contain spaces.
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = fields ? Number.parseInt(fields[1] ?? '', 10) : Number.NaN;
  return Number.isInteger(ppid) ? ppid : undefined;
}
