// (c)'s delivery figures: for each NOTIFY'd seq, how long until the last subscriber of that task had it (or a later one).
import type { NotifyTimes } from './notify-recorder.js';
import type { SubRecord } from './protocol.js';

export interface FanoutDelivery {
  /** Per (task, seq): max over that task's subscribers of (first event with seq >= it) - NOTIFY arrival. */
  lastSubscriberMs: number[];
  /** Per (task, seq): the same for the median subscriber. */
  medianSubscriberMs: number[];
  /** (subscriber, seq) pairs that never got that seq or a later one: should be 0. */
  missing: number;
}

/**
 * A subscriber whose wake-ups coalesced skips a seq but gets a later one, which carries the newer state: that
 * later event counts as the delivery, so skipped seqs are not hidden, they are charged their real wait.
 */
export function fanoutDelivery(records: SubRecord[], times: NotifyTimes): FanoutDelivery {
  const perSeq = new Map<string, number[]>();
  let missing = 0;
  for (const rec of records) {
    const bySeq = times.get(rec.taskId);
    if (!bySeq) continue;
    const firstSeq = rec.seqs[0] ?? Number.POSITIVE_INFINITY;
    const notified = [...bySeq.entries()].filter(([seq]) => seq > firstSeq).sort((a, b) => a[0] - b[0]);
    // Skip the first event: it is the subscription's initial read, not a reaction to a NOTIFY.
    let j = 1;
    for (const [seq, at] of notified) {
      while (j < rec.seqs.length && (rec.seqs[j] ?? -1) < seq) j += 1;
      const arrival = rec.at[j];
      if (j >= rec.seqs.length || arrival === undefined) {
        missing += 1;
        continue;
      }
      const key = `${rec.taskId}:${seq}`;
      let list = perSeq.get(key);
      if (!list) {
        list = [];
        perSeq.set(key, list);
      }
      list.push(arrival - at);
    }
  }
  const lastSubscriberMs: number[] = [];
  const medianSubscriberMs: number[] = [];
  for (const list of perSeq.values()) {
    list.sort((a, b) => a - b);
    lastSubscriberMs.push(list.at(-1) ?? 0);
    medianSubscriberMs.push(list[Math.floor((list.length - 1) / 2)] ?? 0);
  }
  return { lastSubscriberMs, medianSubscriberMs, missing };
}
