// The postmaster process: started with a readiness wait that reports postgres's own words on failure,
// and stopped with escalating signals that always resolve, even when postgres already died.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { Logger } from '../../logger.js';
import type { OsUser } from './postgres-os-user.js';

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

export function startPostmaster(args: {
  installDir: string;
  clusterDir: string;
  port: number;
  runAs: OsUser | undefined;
  logger: Logger;
  ephemeral: boolean | undefined;
  onUnexpectedExit: (() => void) | undefined;
}): Promise<ChildProcess> {
  const { installDir, clusterDir, port, runAs, logger } = args;
  const settings = [
    '-c',
    'listen_addresses=127.0.0.1',
    // No unix socket: nothing stale is left in /tmp after a kill -9, and no directory permissions to get wrong.
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=200',
    ...(args.ephemeral
      ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
      : []),
  ];
  const child = spawn(
    path.join(installDir, 'bin', 'postgres'),
    ['-D', clusterDir, '-p', String(port), ...settings],
    {
      ...runAs,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: postgresEnv(),
    },
  );
  const pgLog = logger.child({ component: 'postgres' });
  let recent = '';
  return new Promise((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`PostgreSQL did not become ready in ${START_TIMEOUT_MS} ms: ${lastLines(recent)}`));
    }, START_TIMEOUT_MS);
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      recent = (recent + text).slice(-4000);
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        if (/\b(ERROR|FATAL|PANIC):/.test(line)) pgLog.warn(line);
        else pgLog.debug(line);
      }
      if (!ready && text.includes('database system is ready to accept connections')) {
        ready = true;
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!ready) {
        reject(new Error(`PostgreSQL exited during start (${signal ?? code}): ${lastLines(recent)}`));
      } else if (!stopping.has(child)) {
        logger.error({ code, signal }, 'embedded PostgreSQL exited unexpectedly');
        args.onUnexpectedExit?.();
      }
    });
  });
}

const stopping = new WeakSet<ChildProcess>();

/** Fast shutdown, escalating; always resolves, even when postgres already died. */
export async function stopPostmaster(child: ChildProcess, logger: Logger): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  stopping.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const escalate = async (signal: NodeJS.Signals, waitMs: number): Promise<boolean> => {
    child.kill(signal);
    return Promise.race([exited.then(() => true), delay(waitMs).then(() => false)]);
  };
  if (await escalate('SIGINT', STOP_TIMEOUT_MS)) return;
  logger.warn('embedded PostgreSQL ignored a fast shutdown; sending SIGQUIT');
  if (await escalate('SIGQUIT', 5_000)) return;
  await escalate('SIGKILL', 5_000);
}

export function postgresEnv(): NodeJS.ProcessEnv {
  // postgres would read inherited PG* variables (PGDATA, PGPORT…); give it a clean, English environment.
  return { LC_MESSAGES: 'C', LANG: 'C.UTF-8' };
}

export function lastLines(text: string, count = 6): string {
  return text.trim().split('\n').slice(-count).join(' | ');
}

/** Unref'd: a pending escalation timer must not keep the process alive after postgres has exited. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
