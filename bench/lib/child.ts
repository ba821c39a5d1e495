// Spawns a benchmark server as a child process, waits until it answers, checks its reply, and stops it.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ServerSpec {
  name: string;
  /** Arguments after the node binary, e.g. ['--import', 'tsx', 'bench/servers/raw-node.ts']. */
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  port: number;
  logFile: string;
  readyPath: string;
  readyTimeoutMs: number;
  /** Node binary; defaults to the one running the benchmark. */
  nodeBin?: string;
}

export interface RunningServer {
  spec: ServerSpec;
  child: ChildProcess;
  exited: Promise<number | string | null>;
}

export interface HttpReply {
  status: number;
  body: string;
}

const live = new Set<ChildProcess>();

/**
 * Kills whatever is still running if the benchmark itself is interrupted, so no server outlives it.
 * onSignal (optional) runs after the kill, before exiting: e.g. stop a database the bench started and
 * remove its temp files; it is given at most 20 s so an interrupted run always ends.
 */
export function killAllOnExit(onSignal?: () => Promise<void>): void {
  const killAll = (): void => {
    for (const child of live) child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      killAll();
      if (!onSignal) process.exit(130);
      const cleanup = onSignal().catch((err: unknown) => console.error('cleanup after signal failed:', err));
      void Promise.race([cleanup, sleep(20_000)]).then(() => process.exit(130));
    });
  }
}

/** Asks the OS for an unused loopback port (tiny race until the child binds it; fine on a quiet box). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** One GET with its own socket (agent: false) so the parent keeps no idle connection open to the child. */
export function httpGet(
  port: number,
  path: string,
  timeoutMs = 2000,
  headers: Record<string, string> = {},
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'GET', headers, agent: false, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

export function startServer(spec: ServerSpec): RunningServer {
  // Output goes straight to a file: a pipe nobody reads would fill up and stall the server under load.
  const fd = openSync(spec.logFile, 'a');
  const child = spawn(spec.nodeBin ?? process.execPath, spec.args, {
    cwd: spec.cwd,
    env: { ...spec.env, PORT: String(spec.port), HOST: '127.0.0.1' },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  live.add(child);
  const exited = new Promise<number | string | null>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve(code ?? signal);
    });
    child.once('error', (err) => {
      live.delete(child);
      resolve(err.message);
    });
  });
  return { spec, child, exited };
}

/** Polls readyPath until it returns 200; throws if the child exits or the timeout passes. */
export async function waitReady(server: RunningServer): Promise<void> {
  const { port, readyPath, readyTimeoutMs, name } = server.spec;
  const deadline = Date.now() + readyTimeoutMs;
  let exitCode: number | string | null | undefined;
  void server.exited.then((c) => {
    exitCode = c;
  });
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`${name} exited (${String(exitCode)}) before it was ready`);
    try {
      const reply = await httpGet(port, readyPath, 1000);
      if (reply.status === 200) return;
      last = `status ${reply.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(200);
  }
  throw new Error(`${name} not ready after ${readyTimeoutMs} ms (${last})`);
}

/** The check the brief asks for before loading: 200 and the expected payload. */
export async function verifyAnswer(port: number, path: string): Promise<HttpReply> {
  const reply = await httpGet(port, path);
  if (reply.status !== 200 || !reply.body.includes('"name":"docrpc"')) {
    throw new Error(`unexpected answer: ${reply.status} ${reply.body.slice(0, 200)}`);
  }
  return reply;
}

/** SIGINT first (lets servers shut down and write profiles), SIGKILL if it hangs. */
export async function stopServer(server: RunningServer, graceMs = 15_000): Promise<number | string | null> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return server.exited;
  server.child.kill('SIGINT');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), graceMs);
  const code = await server.exited;
  clearTimeout(timer);
  return code;
}
