// The benchmark's own LISTEN on docrpc's task channel: when each (task, seq) NOTIFY reached a client of Postgres,
// which stands in for "the progress row was committed" (the API's LISTEN connection gets the same notification).
import postgres from 'postgres';
import { parseTaskEvent, TASK_CHANNEL } from '../../src/jobs/task-state.js';
import { wallNow } from './protocol.js';

const PING_CHANNEL = 'docrpc_bench_ping';

/** taskId → seq → wall-clock ms of the NOTIFY's arrival here. */
export type NotifyTimes = Map<string, Map<number, number>>;

export interface NotifyRecorder {
  /** A plain query connection (not the LISTEN one), for checks and for sending pings. */
  sql: postgres.Sql;
  /** Starts recording task notifications (all tasks); stop() hands them back and stops recording. */
  start(): void;
  stop(): NotifyTimes;
  /** Raw Postgres baseline: `select pg_notify(...)` sent here, timed to its arrival at our LISTEN. */
  pingLatencies(count: number, gapMs: number): Promise<number[]>;
  close(): Promise<void>;
}

export async function startNotifyRecorder(url: string): Promise<NotifyRecorder> {
  // max 2: postgres-js gives LISTEN a dedicated connection; pings go out on another one.
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  let times: NotifyTimes | undefined;
  const taskListener = await sql.listen(TASK_CHANNEL, (payload) => {
    const at = wallNow();
    const event = parseTaskEvent(payload);
    if (!times || !event) return;
    let bySeq = times.get(event.taskId);
    if (!bySeq) {
      bySeq = new Map();
      times.set(event.taskId, bySeq);
    }
    bySeq.set(event.seq, at);
  });
  const pingArrivals = new Map<number, number>();
  const pingListener = await sql.listen(PING_CHANNEL, (payload) => {
    pingArrivals.set(Number(payload), wallNow());
  });
  return {
    sql,
    start() {
      times = new Map();
    },
    stop() {
      const out = times ?? new Map();
      times = undefined;
      return out;
    },
    async pingLatencies(count, gapMs) {
      pingArrivals.clear();
      const sentAt = new Map<number, number>();
      for (let i = 0; i < count; i++) {
        sentAt.set(i, wallNow());
        await sql`select pg_notify(${PING_CHANNEL}, ${String(i)})`;
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      }
      // The last ones may still be on their way.
      for (let w = 0; w < 100 && pingArrivals.size < count; w++) await new Promise((r) => setTimeout(r, 10));
      const out: number[] = [];
      for (const [i, sent] of sentAt) {
        const arrived = pingArrivals.get(i);
        if (arrived !== undefined) out.push(arrived - sent);
      }
      return out;
    },
    async close() {
      await taskListener.unlisten();
      await pingListener.unlisten();
      await sql.end({ timeout: 5 });
    },
  };
}
