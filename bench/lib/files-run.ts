// Process plumbing for bench/files.bench.ts: the run's temp dir, database and child servers, and their cleanup.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchDb } from './bench-db.js';
import { freePort, type RunningServer, startServer, stopServer, waitReady } from './child.js';
import type { Endpoint } from './files-transfer.js';
import { pick, postJson } from './transfer.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Run {
  tmpDir: string;
  db?: BenchDb;
  servers: RunningServer[];
}

/** Starts a child server with its log in tmpDir and waits until readyPath answers 200. */
export async function launch(
  run: Run,
  spec: { name: string; id: string; args: string[]; env: NodeJS.ProcessEnv; readyPath: string },
): Promise<Endpoint> {
  const port = await freePort();
  const server = startServer({
    name: spec.name,
    args: spec.args,
    cwd: ROOT,
    env: { ...process.env, ...spec.env },
    port,
    logFile: join(run.tmpDir, `${spec.id}.log`),
    readyPath: spec.readyPath,
    readyTimeoutMs: 60_000,
  });
  run.servers.push(server);
  await waitReady(server);
  if (server.child.pid === undefined) throw new Error(`${spec.name} has no pid`);
  return { name: spec.name, port, pid: server.child.pid };
}

export async function register(port: number): Promise<string> {
  const reply = await postJson(port, '/trpc/auth.register', {
    json: { username: 'bench', email: 'bench@example.com', password: 'benchmark passphrase 1' },
  });
  const token = pick(reply.json, 'result', 'data', 'json', 'accessToken');
  if (reply.status !== 200 || typeof token !== 'string')
    throw new Error(`auth.register: ${reply.status} ${JSON.stringify(reply.json).slice(0, 300)}`);
  return token;
}

/** A failed run's temp dir goes too, so the end of each server log is printed first. */
export function printLogTails(tmpDir: string): void {
  for (const name of readdirSync(tmpDir).filter((f) => f.endsWith('.log'))) {
    const lines = readFileSync(join(tmpDir, name), 'utf8').trimEnd().split('\n').slice(-15);
    console.log(`--- last lines of ${name}\n${lines.join('\n')}`);
  }
}

/** Stops every child (by its pid, via the handle we spawned), then the database, then removes all temp files. */
export async function cleanup(run: Run, keep: boolean): Promise<void> {
  await Promise.all(run.servers.map((s) => stopServer(s)));
  await run.db?.stopAndRemove();
  if (keep) console.log(`temp files kept in ${run.tmpDir} (BENCH_KEEP_TMP)`);
  else rmSync(run.tmpDir, { recursive: true, force: true });
}
