// The processes of the tasks benchmark: docrpc API servers, the worker-only process, IPC children, and a typed client.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '../../src/app-router.js';
import { freePort, type RunningServer, startServer, stopServer, waitReady } from '../lib/child.js';
import { forkIpcChild, type IpcApi, type IpcChild } from '../lib/ipc-child.js';

export type ApiClient = TRPCClient<AppRouter>;

export interface Run {
  root: string;
  tmpDir: string;
  servers: RunningServer[];
  /** Server ids to run under --cpu-prof (BENCH_PROFILE), and the profile dirs written so far. */
  profile: Set<string>;
  profiles: { id: string; dir: string }[];
  /** Only stopped by the cleanup, so only that is kept. */
  children: { stop(graceMs?: number): Promise<void> }[];
}

export interface Docrpc {
  server: RunningServer;
  port: number;
  pid: number;
  logFile: string;
}

/** `node [nodeArgs] --import tsx src/main.ts` against the shared database; waits for /ready. */
export async function startDocrpc(run: Run, id: string, env: NodeJS.ProcessEnv): Promise<Docrpc> {
  const port = await freePort();
  const profileDir = join(run.tmpDir, `prof-${id}`);
  const profiled = run.profile.has(id);
  // The profile is written when the server exits normally, which stopServer's SIGINT gives it.
  if (profiled) run.profiles.push({ id, dir: profileDir });
  const logFile = join(run.tmpDir, `${id}.log`);
  const server = startServer({
    name: id,
    args: [
      ...(profiled ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      '--import',
      'tsx',
      'src/main.ts',
    ],
    cwd: run.root,
    env: { ...process.env, ...env },
    port,
    logFile,
    readyPath: '/ready',
    readyTimeoutMs: 60_000,
  });
  run.servers.push(server);
  await waitReady(server);
  if (server.child.pid === undefined) throw new Error(`${id} has no pid`);
  return { server, port, pid: server.child.pid, logFile };
}

/** `node --import tsx src/worker.ts`; it has no HTTP, so ready is its "docrpc worker running" log line. */
export async function startWorkerProcess(
  run: Run,
  id: string,
  env: NodeJS.ProcessEnv,
): Promise<RunningServer> {
  const logFile = join(run.tmpDir, `${id}.log`);
  const server = startServer({
    name: id,
    args: ['--import', 'tsx', 'src/worker.ts'],
    cwd: run.root,
    // info: the ready line is logged at info.
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    port: 0,
    logFile,
    readyPath: '',
    readyTimeoutMs: 30_000,
  });
  run.servers.push(server);
  const deadline = Date.now() + 30_000;
  let exited = false;
  void server.exited.then(() => {
    exited = true;
  });
  while (!readFileSync(logFile, 'utf8').includes('docrpc worker running')) {
    if (exited || Date.now() > deadline) throw new Error(`worker did not start (log: ${logFile})`);
    await sleep(50);
  }
  return server;
}

export async function stopProcess(run: Run, server: RunningServer): Promise<void> {
  await stopServer(server);
  run.servers = run.servers.filter((s) => s !== server);
}

export async function forkChild<Api extends IpcApi>(
  run: Run,
  id: string,
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<IpcChild<Api>> {
  const child = await forkIpcChild<Api>({
    script,
    cwd: run.root,
    env: { ...process.env, ...env },
    logFile: join(run.tmpDir, `${id}.log`),
  });
  run.children.push(child);
  return child;
}

export async function stopChild<Api extends IpcApi>(run: Run, child: IpcChild<Api>): Promise<void> {
  await child.stop();
  run.children = run.children.filter((c) => c !== child);
}

export function apiClient(port: number, token?: string): ApiClient {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `http://127.0.0.1:${port}/trpc`,
        transformer: superjson,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      }),
    ],
  });
}

export async function register(port: number): Promise<string> {
  const session = await apiClient(port).auth.register.mutate({
    username: 'bench',
    email: 'bench@example.com',
    password: 'benchmark passphrase 1',
  });
  return session.accessToken;
}
