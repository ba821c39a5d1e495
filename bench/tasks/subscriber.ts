// Child process of the tasks benchmark: holds task.onProgress subscriptions over WebSocket and timestamps every event.
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '../../src/app-router.js';
import { serveIpc } from '../lib/ipc-child.js';
import { type OpenArgs, type SubRecord, type SubscriberApi, wallNow } from './protocol.js';

interface Sub extends SubRecord {
  unsubscribe(): void;
}

type WsClient = ReturnType<typeof createWSClient>;

const subs: Sub[] = [];
const sockets: WsClient[] = [];
let onSettled: (() => void) | undefined;

const completedCount = (): number => subs.filter((s) => s.completed || s.error !== null).length;

function settled(): void {
  if (completedCount() === subs.length) onSettled?.();
}

async function open(arg: OpenArgs): Promise<{ subscriptions: number; ms: number }> {
  const started = performance.now();
  const clients = Array.from({ length: arg.sockets }, () => {
    const ws = createWSClient({ url: arg.url, connectionParams: { token: arg.token } });
    sockets.push(ws);
    return createTRPCClient<AppRouter>({ links: [wsLink({ client: ws, transformer: superjson })] });
  });
  const firstEvents: Promise<void>[] = [];
  let k = 0;
  for (const target of arg.targets) {
    for (let i = 0; i < target.count; i++) {
      // Round-robin, so each socket carries the same number of subscriptions to each task.
      const client = clients[k++ % clients.length];
      if (!client) throw new Error('no sockets');
      const sub: Sub = {
        taskId: target.taskId,
        seqs: [],
        at: [],
        changedAt: [],
        completed: false,
        error: null,
        unsubscribe: () => {},
      };
      subs.push(sub);
      firstEvents.push(
        new Promise<void>((resolve, reject) => {
          const handle = client.task.onProgress.subscribe(
            { taskId: target.taskId },
            {
              onData: (event) => {
                // Taken first, before any of our own work, so it is the moment the client got the event.
                sub.at.push(wallNow());
                sub.seqs.push(Number(event.id));
                sub.changedAt.push(event.data.updatedAt.getTime());
                resolve();
              },
              onError: (err) => {
                sub.error = err.message;
                reject(err);
                settled();
              },
              onComplete: () => {
                sub.completed = true;
                resolve();
                settled();
              },
            },
          );
          sub.unsubscribe = () => handle.unsubscribe();
        }),
      );
    }
  }
  await Promise.all(firstEvents);
  return { subscriptions: firstEvents.length, ms: performance.now() - started };
}

async function waitCompleted(arg: { timeoutMs: number }): Promise<{ completed: number; total: number }> {
  if (completedCount() < subs.length) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, arg.timeoutMs);
      onSettled = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    onSettled = undefined;
  }
  return { completed: completedCount(), total: subs.length };
}

async function close(): Promise<null> {
  for (const sub of subs.splice(0)) sub.unsubscribe();
  await Promise.all(sockets.splice(0).map((ws) => ws.close()));
  return null;
}

const api: SubscriberApi = {
  open,
  waitCompleted,
  collect: async () => subs.map(({ unsubscribe: _, ...record }) => record),
  close,
};
serveIpc(api, async () => {
  await close();
});
