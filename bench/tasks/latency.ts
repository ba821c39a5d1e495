// (b) progress() → WS client in another process, per progress event: from the row's updated_at (now() of the UPDATE that
// progress() sends) and from the NOTIFY's arrival at our own LISTEN, to the subscriber's onData.
import type { IpcChild } from '../lib/ipc-child.js';
import type { NotifyRecorder, NotifyTimes } from './notify-recorder.js';
import type { ApiClient } from './processes.js';
import type { SubRecord, SubscriberApi } from './protocol.js';
import { type Dist, dist } from './stats.js';

export interface Matched {
  /** Arrival at the subscriber minus arrival of the same (task, seq) NOTIFY at our LISTEN, per event. */
  delays: number[];
  /** Arrival at the subscriber minus the row's updated_at carried by the event (the progress() UPDATE's now()). */
  fromChange: number[];
  /** Events with no NOTIFY recorded for their seq (should be 0). */
  unmatched: number;
  /** NOTIFYs after a subscription's first event whose seq that subscription never got (coalesced). */
  skipped: number;
}

/** Pairs each subscription's events (after its first, which is the initial read) with the NOTIFY of that seq. */
export function matchEvents(records: SubRecord[], times: NotifyTimes): Matched {
  const delays: number[] = [];
  const fromChange: number[] = [];
  let unmatched = 0;
  let skipped = 0;
  for (const rec of records) {
    const bySeq = times.get(rec.taskId) ?? new Map<number, number>();
    const firstSeq = rec.seqs[0] ?? Number.POSITIVE_INFINITY;
    const got = new Set(rec.seqs);
    for (const seq of bySeq.keys()) if (seq > firstSeq && !got.has(seq)) skipped += 1;
    for (let i = 1; i < rec.seqs.length; i++) {
      const notified = bySeq.get(rec.seqs[i] ?? -1);
      const at = rec.at[i];
      const changed = rec.changedAt[i];
      if (at !== undefined && changed !== undefined) fromChange.push(at - changed);
      if (notified === undefined || at === undefined) unmatched += 1;
      else delays.push(at - notified);
    }
  }
  return { delays, fromChange, unmatched, skipped };
}

export interface LatencyResult {
  steps: number;
  stepMs: number;
  tasks: number;
  events: number;
  unmatched: number;
  skipped: number;
  /** NOTIFY at our LISTEN → onData. */
  docrpc: Dist;
  /** progress() (row updated_at) → onData: the measure. */
  fromProgress: Dist;
  rawNotify: Dist;
}

export async function latencyPhase(opts: {
  client: ApiClient;
  subscriber: IpcChild<SubscriberApi>;
  recorder: NotifyRecorder;
  wsUrl: string;
  token: string;
  steps: number;
  stepMs: number;
  minEvents: number;
}): Promise<LatencyResult> {
  const { client, subscriber, recorder } = opts;
  // Baseline first, on a quiet server: pg_notify from one connection to a LISTEN on another, same pacing.
  const raw = await recorder.pingLatencies(opts.minEvents, opts.stepMs);
  const all: Matched = { delays: [], fromChange: [], unmatched: 0, skipped: 0 };
  let tasks = 0;
  // One long task gives ~steps events; a second one tops up if coalescing dropped some.
  while (all.delays.length < opts.minEvents && tasks < 3) {
    tasks += 1;
    recorder.start();
    const task = await client.task.createDemo.mutate({ steps: opts.steps, stepMs: opts.stepMs });
    await subscriber.call('open', {
      url: opts.wsUrl,
      token: opts.token,
      sockets: 1,
      targets: [{ taskId: task.id, count: 1 }],
    });
    const timeoutMs = opts.steps * (opts.stepMs + 50) + 30_000;
    const done = await subscriber.call('waitCompleted', { timeoutMs }, timeoutMs + 5_000);
    if (done.completed !== done.total) throw new Error('the latency subscription did not complete');
    const records = await subscriber.call('collect', null);
    await subscriber.call('close', null);
    const m = matchEvents(records, recorder.stop());
    all.delays.push(...m.delays);
    all.fromChange.push(...m.fromChange);
    all.unmatched += m.unmatched;
    all.skipped += m.skipped;
    const error = records.find((r) => r.error)?.error;
    if (error) throw new Error(`subscription failed: ${error}`);
  }
  return {
    steps: opts.steps,
    stepMs: opts.stepMs,
    tasks,
    events: all.delays.length,
    unmatched: all.unmatched,
    skipped: all.skipped,
    docrpc: dist(all.delays),
    fromProgress: dist(all.fromChange),
    rawNotify: dist(raw),
  };
}
