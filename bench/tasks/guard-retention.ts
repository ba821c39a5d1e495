// `node --expose-gc --import tsx bench/tasks/guard-retention.ts`: heap an open subscription keeps per delivered event,
// through src's guardSubscription (Promise.race against its long-lived `stopped` promise) vs the bare source.

import type { AppDeps, Caller } from '../../src/trpc/context.js';
import { guardSubscription } from '../../src/trpc/middlewares/subscription-guard.js';

const EVENTS = Number(process.env.EVENTS ?? 100_000);

async function* source(): AsyncGenerator<number> {
  for (let i = 0; ; i++) yield i;
}

/** Heap bytes still reachable per event after `EVENTS` events, measured while the iterator is still open. */
async function retainedPerEvent(iterable: AsyncIterable<unknown>): Promise<number> {
  const gc = globalThis.gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const it = iterable[Symbol.asyncIterator]();
  await it.next();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < EVENTS; i++) await it.next();
  gc();
  const after = process.memoryUsage().heapUsed;
  await it.return?.();
  return (after - before) / EVENTS;
}

// Only what guardSubscription reads; the re-check interval is set far beyond the run so it never queries.
const deps = {
  now: () => new Date(),
  config: { auth: { recheckMs: 3_600_000 } },
  logger: { warn: () => {} },
} as unknown as AppDeps;
const caller: Caller = {
  id: '00000000-0000-0000-0000-000000000000',
  role: 'user',
  kind: 'session',
  sessionId: null,
  apiTokenId: null,
  scopes: null,
  expiresAt: null,
};

const bare = await retainedPerEvent(source());
const guarded = await retainedPerEvent(guardSubscription(deps, caller, source()) as AsyncIterable<unknown>);
console.log(`${EVENTS} events through one open subscription, heap retained per event:`);
console.log(`  bare async generator:        ${bare.toFixed(1)} bytes`);
console.log(`  through guardSubscription:   ${guarded.toFixed(1)} bytes`);
process.exit(0);
