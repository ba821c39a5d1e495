// The benchmark's child processes: node servers with their output in a log file, ready checks, stops,
// and the other side, serve(), which the baseline servers use to listen and exit cleanly.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Child {
  id: string;
  port: number;
  pid: number;
  logFile: string;
  /** SIGINT (servers shut down, profiles get written), SIGKILL after 15 s. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
// However the benchmark ends, no child outlives it.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** One GET on its own socket, so the parent holds no idle connection to the child. */
export function httpGet(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * `node [nodeArgs] --import tsx <script>` on a free port (PORT, HOST=127.0.0.1), output in
 * <logDir>/<id>.log. Ready when readyPath answers 200, or when the log shows readyLine.
 */
export async function spawnNode(o: {
  id: string;
  script: string;
  logDir: string;
  env: NodeJS.ProcessEnv;
  nodeArgs?: string[];
  readyPath?: string;
  readyLine?: string;
}): Promise<Child> {
  const port = await freePort();
  const logFile = join(o.logDir, `${o.id}.log`);
  // Straight to a file: a pipe nobody reads would fill up and stall the server under load.
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), '--import', 'tsx', o.script], {
    cwd: ROOT,
    env: { ...process.env, ...o.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  live.add(child);
  let exitInfo: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      exitInfo = String(code ?? signal);
      resolve();
    }),
  );
  const stop = async (): Promise<void> => {
    if (exitInfo !== undefined) return;
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 60_000;
  let last = 'no answer yet';
  for (;;) {
    if (exitInfo !== undefined)
      throw new Error(`${o.id} exited (${exitInfo}) before it was ready; log: ${logFile}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${o.id} not ready after 60 s (${last}); log: ${logFile}`);
    }
    if (o.readyLine !== undefined) {
      if (readFileSync(logFile, 'utf8').includes(o.readyLine)) break;
    } else {
      const reply = await httpGet(port, o.readyPath ?? '/').catch((e: Error) => ({
        status: 0,
        body: e.message,
      }));
      if (reply.status === 200) break;
      last = `${reply.status} ${reply.body.slice(0, 100)}`;
    }
    await sleep(100);
  }
  if (child.pid === undefined) throw new Error(`${o.id} has no pid`);
  return { id: o.id, port, pid: child.pid, logFile, stop };
}

/** Child side: listen on PORT/HOST; SIGINT/SIGTERM close and exit 0 (so --cpu-prof is written). */
export function serve(server: Server, name: string): void {
  const port = Number(process.env.PORT ?? '3000');
  server.listen(port, process.env.HOST ?? '127.0.0.1', () => console.log(`${name} listening on ${port}`));
  const stop = (): void => {
    // Keep-alive sockets of the load generator would hold close() open.
    server.closeAllConnections();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** The temp dir goes at the end, so a failed run prints the end of every log first. */
export function printLogTails(dir: string): void {
  for (const name of readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.log'))) {
    const lines = readFileSync(join(dir, name), 'utf8').trimEnd().split('\n').slice(-15);
    console.log(`--- last lines of ${name}\n${lines.join('\n')}`);
  }
}
