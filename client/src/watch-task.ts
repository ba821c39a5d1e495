// task.onProgress as an async iterator: `for await (const task of watchTask(id))` sees every change until the
// task ends (the server ends the subscription then), resuming after reconnects from the last event id.
import type { TaskOutput } from './contract.js';

export interface WatchTaskOptions {
  /** Stops watching (the loop ends quietly). */
  signal?: AbortSignal;
  /** Skip the changes up to and including this event id (from an earlier watch). */
  lastEventId?: string;
}

type Item = { value: TaskOutput } | { error: unknown } | { done: true };

/** The one subscription watchTask needs, as `api.task.onProgress.subscribe` offers it. */
export type SubscribeToTask = (
  input: { taskId: string; lastEventId?: string },
  handlers: {
    onData(event: { id: string; data: TaskOutput }): void;
    onError(error: unknown): void;
    onComplete(): void;
    signal?: AbortSignal;
  },
) => { unsubscribe(): void };

export async function* watchTaskWith(
  subscribe: SubscribeToTask,
  taskId: string,
  options: WatchTaskOptions = {},
): AsyncGenerator<TaskOutput, void, undefined> {
  if (options.signal?.aborted) return;
  const items: Item[] = [];
  let wake: (() => void) | undefined;
  const push = (item: Item) => {
    items.push(item);
    wake?.();
  };
  const onAbort = () => push({ done: true });
  options.signal?.addEventListener('abort', onAbort);
  const subscription = subscribe(
    { taskId, ...(options.lastEventId ? { lastEventId: options.lastEventId } : {}) },
    {
      onData: (event) => push({ value: event.data }),
      onError: (error) => push({ error }),
      onComplete: () => push({ done: true }),
    },
  );
  try {
    for (;;) {
      const item = items.shift();
      if (!item) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      if ('error' in item) throw item.error;
      if ('done' in item) return;
      yield item.value;
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    subscription.unsubscribe();
  }
}
