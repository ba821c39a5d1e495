// Task change events for subscribers in this API process: one channel on the process's LISTEN connection
// (not one per subscriber), fanned out in memory. Notifications sent while the connection was down are
// lost, so every (re)listen wakes every subscriber to re-read its rows.
import type { NotificationHub } from '../db/notifications.js';
import { parseTaskEvent, TASK_CHANNEL } from './task-rows.js';

type Wake = () => void;

export interface ProgressBus {
  /** Calls `wake` whenever the task may have changed; returns the unsubscribe function. */
  watchTask(taskId: string, wake: Wake): () => void;
  /** The same for every task of one owner (dashboards). */
  watchOwner(ownerId: string, wake: Wake): () => void;
  /** How many watchers are registered now: a stream or subscription that ended must have left none. */
  watchers(): number;
  close(): void;
}

export async function startProgressBus(hub: NotificationHub): Promise<ProgressBus> {
  const byTask = new Map<string, Set<Wake>>();
  const byOwner = new Map<string, Set<Wake>>();
  const stop = await hub.listen(TASK_CHANNEL, {
    onMessage(payload) {
      const event = parseTaskEvent(payload);
      if (!event) return;
      for (const wake of byTask.get(event.taskId) ?? []) wake();
      for (const wake of byOwner.get(event.ownerId) ?? []) wake();
    },
    onResync() {
      for (const set of [...byTask.values(), ...byOwner.values()]) for (const wake of set) wake();
    },
  });
  const add = (map: Map<string, Set<Wake>>, key: string, wake: Wake) => {
    let set = map.get(key);
    if (!set) {
      set = new Set();
      map.set(key, set);
    }
    set.add(wake);
    return () => {
      set.delete(wake);
      if (set.size === 0) map.delete(key);
    };
  };
  return {
    watchTask: (taskId, wake) => add(byTask, taskId, wake),
    watchOwner: (ownerId, wake) => add(byOwner, ownerId, wake),
    watchers: () => {
      let count = 0;
      for (const set of [...byTask.values(), ...byOwner.values()]) count += set.size;
      return count;
    },
    close: stop,
  };
}

/**
 * Yields once at once and then once per wake-up (several wake-ups while the consumer is busy count as
 * one) until `signal` aborts. Subscribes before the first yield, so a read after it misses nothing.
 */
export async function* wakeups(
  subscribe: (wake: Wake) => () => void,
  signal?: AbortSignal,
): AsyncGenerator<void> {
  let pending = true;
  let wake: (() => void) | undefined;
  const unsubscribe = subscribe(() => {
    pending = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  try {
    while (!signal?.aborted) {
      if (!pending) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      pending = false;
      yield;
    }
  } finally {
    unsubscribe();
    signal?.removeEventListener('abort', onAbort);
  }
}
