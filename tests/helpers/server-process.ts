// Runs `src/main.ts` (what `npm start` runs) or `src/worker.ts` as a real child process and reads its log lines.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

const SERVER_PATH = [path.dirname(process.execPath), '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(':');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** The first log line, saying where it listens and which database it uses. */
  banner: Record<string, unknown> & { msg: string };
  lines: Record<string, unknown>[];
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

const ENTRIES = {
  server: { file: 'src/main.ts', ready: 'docrpc listening on' },
  worker: { file: 'src/worker.ts', ready: 'docrpc worker running' },
};

export async function startServerProcess(
  env: Record<string, string>,
  kind: keyof typeof ENTRIES = 'server',
): Promise<ServerProcess> {
  const entry = ENTRIES[kind];
  const child = spawn(process.execPath, ['--import', 'tsx', entry.file], {
    cwd: PROJECT_ROOT,
    env: {
      // Without /usr/local/bin, where this machine links Debian's postgres: the embedded one must not need it.
      PATH: SERVER_PATH,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_PRETTY: 'false',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  let pending = '';
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const banner = new Promise<ServerProcess['banner']>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const complete = pending.split('\n');
      pending = complete.pop() ?? '';
      for (const text of complete) {
        if (!text.trim()) continue;
        const line = JSON.parse(text) as Record<string, unknown> & { msg: string };
        lines.push(line);
        if (line.msg.startsWith(entry.ready)) resolve(line);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    exited.then((code) =>
      reject(
        new Error(`server exited (${code}) before listening: ${stderr}${JSON.stringify(lines.slice(-3))}`),
      ),
    );
  });
  const server: ServerProcess = { child, url: '', banner: { msg: '' }, lines, exited };
  started.add(server);
  exited.then(() => started.delete(server));
  const first = await banner;
  return Object.assign(server, { url: String(first.url), banner: first });
}

/** Sends a signal and waits for the process to end. */
export async function stopServerProcess(server: ServerProcess, signal: NodeJS.Signals = 'SIGINT') {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill(signal);
  return server.exited;
}

/** Alive and not a zombie: an orphaned postgres that exited may linger unreaped, which counts as gone. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

const started = new Set<ServerProcess>();

/** For afterAll: stops whatever a failed test left running, so no server outlives the suite. */
export async function stopAllServerProcesses(): Promise<void> {
  await Promise.all([...started].map((server) => stopServerProcess(server, 'SIGINT')));
}
