// Task change events for subscribers in this API process: one LISTEN connection for the whole process
// (not one per subscriber), fanned out in memory. Notifications sent while the connection was down are
// lost, so every (re)listen wakes every subscriber to re-read its rows.
import type postgres from 'postgres';
import type { Logger } from '../logger.js';
import { parseTaskEvent, TASK_CHANNEL } from './task-state.js';

type Wake = () => void;

export interface ProgressBus {
  /** Calls `wake` whenever the task may have changed; returns the unsubscribe function. */
  watchTask(taskId: string, wake: Wake): () => void;
  /** The same for every task of one owner (dashboards). */
  watchOwner(ownerId: string, wake: Wake): () => void;
  close(): Promise<void>;
}

export async function startProgressBus(sql: postgres.Sql, logger: Logger): Promise<ProgressBus> {
  const byTask = new Map<string, Set<Wake>>();
  const byOwner = new Map<string, Set<Wake>>();
  const wakeAll = () => {
    for (const set of [...byTask.values(), ...byOwner.values()]) for (const wake of set) wake();
  };
  const listener = await sql.listen(
    TASK_CHANNEL,
    (payload) => {
      const event = parseTaskEvent(payload);
      if (!event) return;
      for (const wake of byTask.get(event.taskId) ?? []) wake();
      for (const wake of byOwner.get(event.ownerId) ?? []) wake();
    },
    () => {
      logger.debug('listening for task events');
      wakeAll();
    },
  );
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
    close: () => listener.unlisten(),
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
