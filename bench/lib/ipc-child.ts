// Node children the benchmark drives by request/reply over an IPC channel (subscribers, baselines); they die with it.
import { type ChildProcess, fork } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Command name → handler of one JSON-able argument; a type alias (not an interface) so it fits this bound. */
export type IpcApi = Record<string, (arg: never) => Promise<unknown>>;

interface IpcRequest {
  id: number;
  cmd: string;
  arg: unknown;
}

type IpcReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

export interface IpcChild<Api extends IpcApi> {
  pid: number;
  call<K extends keyof Api & string>(
    cmd: K,
    arg: Parameters<Api[K]>[0],
    timeoutMs?: number,
  ): Promise<Awaited<ReturnType<Api[K]>>>;
  /** Closes the channel (the child cleans up and exits), SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

const children = new Set<ChildProcess>();
let exitHooked = false;

/** Starts `node --import tsx <script>` with its output in logFile; resolves once the child says it is ready. */
export async function forkIpcChild<Api extends IpcApi>(opts: {
  script: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  readyTimeoutMs?: number;
}): Promise<IpcChild<Api>> {
  if (!exitHooked) {
    exitHooked = true;
    // However the benchmark ends (error, signal, process.exit), no child outlives it.
    process.once('exit', () => {
      for (const c of children) c.kill('SIGKILL');
    });
  }
  const fd = openSync(opts.logFile, 'a');
  const child = fork(opts.script, [], {
    cwd: opts.cwd,
    env: opts.env,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', fd, fd, 'ipc'],
  });
  closeSync(fd);
  children.add(child);
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let exitInfo: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      exitInfo = `exited (${String(code ?? signal)}); log: ${opts.logFile}`;
      for (const p of pending.values()) p.reject(new Error(`${opts.script} ${exitInfo}`));
      pending.clear();
      resolve();
    });
  });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${opts.script} not ready in time`)),
      opts.readyTimeoutMs ?? 30_000,
    );
    void exited.then(() => reject(new Error(`${opts.script} ${exitInfo}`)));
    child.on('message', (msg: IpcReply | { ready: true }) => {
      if ('ready' in msg) {
        clearTimeout(timer);
        resolve();
        return;
      }
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.ok) p?.resolve(msg.value);
      else p?.reject(new Error(msg.error));
    });
  });
  await ready;
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${opts.script} has no pid`);
  let nextId = 1;
  return {
    pid,
    call(cmd, arg, timeoutMs = 120_000) {
      if (exitInfo) return Promise.reject(new Error(`${opts.script} ${exitInfo}`));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${opts.script}: ${cmd} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        const done =
          <T>(f: (v: T) => void) =>
          (v: T) => {
            clearTimeout(timer);
            f(v);
          };
        pending.set(id, { resolve: done(resolve as (v: unknown) => void), reject: done(reject) });
        child.send({ id, cmd, arg } satisfies IpcRequest);
      });
    },
    async stop(graceMs = 10_000) {
      if (exitInfo) return;
      if (child.connected) child.disconnect();
      const timeout = sleep(graceMs).then(() => 'timeout' as const);
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** Child side: answers the parent's calls; when the parent goes away (or stops us) runs onClose and exits. */
export function serveIpc(api: IpcApi, onClose: () => Promise<void> = async () => {}): void {
  const send = (reply: IpcReply): void => {
    process.send?.(reply);
  };
  process.on('message', (msg: IpcRequest) => {
    const handler = api[msg.cmd];
    if (!handler) {
      send({ id: msg.id, ok: false, error: `unknown command ${msg.cmd}` });
      return;
    }
    handler(msg.arg as never).then(
      (value) => send({ id: msg.id, ok: true, value }),
      (err: unknown) =>
        send({
          id: msg.id,
          ok: false,
          error: err instanceof Error ? (err.stack ?? err.message) : String(err),
        }),
    );
  });
  process.once('disconnect', () => {
    // Bounded: a hung cleanup must not keep an orphan alive.
    const hardStop = setTimeout(() => process.exit(1), 5_000);
    hardStop.unref();
    onClose().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  process.send?.({ ready: true });
}
