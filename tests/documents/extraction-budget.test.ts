// The extraction pool's byte budget: files are read only once admitted, the bytes admitted at once stay within
// EXTRACT_MAX_BYTES_IN_FLIGHT (the pool's own counter says so), a file larger than the budget runs alone, and
// a job cancelled while waiting is never read and leaves no reservation behind.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAdmission } from '../../src/extraction/admission.js';
import { createExtractionPool, type ExtractionPool } from '../../src/extraction/pool.js';

const PDF = readFileSync(join(import.meta.dirname, '../fixtures/pdfs/fastlink-paper1-p1-12.pdf'));
const SIZE = PDF.length;
const PAGES = 12;

let pool: ExtractionPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

/** A source that records what the pool held when it was read. */
function source(reads: Array<{ running: number; bytesInFlight: number }>, current: () => ExtractionPool) {
  return {
    size: SIZE,
    read: async () => {
      const { running, bytesInFlight } = current().stats();
      reads.push({ running, bytesInFlight });
      return new Uint8Array(PDF);
    },
  };
}

function extract(p: ExtractionPool, src: ReturnType<typeof source>, signal = new AbortController().signal) {
  return p.extract(src, 'application/pdf', { signal, onProgress: () => {} });
}

describe('extraction byte budget', () => {
  it('admits jobs while their bytes fit: 8 at once on 4 threads hold at most the budget', async () => {
    const budget = Math.floor(2.5 * SIZE);
    const p = createExtractionPool(4, { maxBytesInFlight: budget });
    pool = p;
    const reads: Array<{ running: number; bytesInFlight: number }> = [];
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        extract(
          p,
          source(reads, () => p),
        ),
      ),
    );

    expect(results.map((r) => r.pages)).toEqual(Array(8).fill(PAGES));
    expect(new Set(results.map((r) => r.text)).size).toBe(1);
    expect(reads).toHaveLength(8);
    for (const read of reads) {
      expect(read.bytesInFlight).toBeLessThanOrEqual(budget);
      expect(read.running).toBeLessThanOrEqual(2);
    }
    // Two fit the budget and two ran together: the bound is the budget, not one at a time.
    expect(p.stats()).toEqual({ running: 0, waiting: 0, bytesInFlight: 0, peakBytesInFlight: 2 * SIZE });
  });

  it('runs a file larger than the whole budget, alone', async () => {
    const p = createExtractionPool(4, { maxBytesInFlight: Math.floor(SIZE / 2) });
    pool = p;
    const reads: Array<{ running: number; bytesInFlight: number }> = [];
    const results = await Promise.all(
      Array.from({ length: 3 }, () =>
        extract(
          p,
          source(reads, () => p),
        ),
      ),
    );

    expect(results.map((r) => r.pages)).toEqual([PAGES, PAGES, PAGES]);
    expect(reads).toEqual(Array(3).fill({ running: 1, bytesInFlight: SIZE }));
    expect(p.stats().peakBytesInFlight).toBe(SIZE);
  });

  it('never reads a job cancelled while it waits, and frees its turn', async () => {
    const p = createExtractionPool(1, { maxBytesInFlight: 10 * SIZE });
    pool = p;
    const reads: Array<{ running: number; bytesInFlight: number }> = [];
    const first = extract(
      p,
      source(reads, () => p),
    );
    const cancel = new AbortController();
    const waiting = extract(
      p,
      source(reads, () => p),
      cancel.signal,
    );
    const third = extract(
      p,
      source(reads, () => p),
    );
    expect(p.stats()).toMatchObject({ running: 1, waiting: 2, bytesInFlight: SIZE });

    cancel.abort(new Error('cancelled by its owner'));
    await expect(waiting).rejects.toThrow('cancelled by its owner');
    expect(p.stats()).toMatchObject({ running: 1, waiting: 1 });
    await Promise.all([first, third]);

    expect(reads).toHaveLength(2);
    expect(p.stats()).toEqual({ running: 0, waiting: 0, bytesInFlight: 0, peakBytesInFlight: SIZE });
  });
});

describe('the admission rule, in bytes the pool never has to read', () => {
  const open = () => new AbortController().signal;
  /** Whether `turn` has been granted once every already-queued callback has run: no release can come meanwhile. */
  const granted = async (turn: Promise<unknown>) =>
    Promise.race([
      turn.then(() => true),
      new Promise<boolean>((resolve) => setImmediate(() => resolve(false))),
    ]);

  it('admits jobs up to exactly the budget, and the next when one is released (once, however often called)', async () => {
    const admission = createAdmission({ slots: 4, maxBytes: 100 });
    const releaseA = await admission.acquire(60, open());
    expect(await granted(admission.acquire(40, open()))).toBe(true);
    const third = admission.acquire(1, open());
    expect(await granted(third)).toBe(false);
    expect(admission.stats()).toEqual({ running: 2, waiting: 1, bytesInFlight: 100, peakBytesInFlight: 100 });

    releaseA();
    releaseA();
    expect(await granted(third)).toBe(true);
    expect(admission.stats()).toEqual({ running: 2, waiting: 0, bytesInFlight: 41, peakBytesInFlight: 100 });
  });

  it('first come, first served: a small job waits behind a big one, and goes in when the big one leaves', async () => {
    const admission = createAdmission({ slots: 2, maxBytes: 100 });
    const releaseA = await admission.acquire(60, open());
    const cancelBig = new AbortController();
    const big = admission.acquire(80, cancelBig.signal);
    const small = admission.acquire(30, open());
    // 60 + 30 would fit, but the small job does not overtake the big one at the head.
    expect(await granted(small)).toBe(false);
    expect(admission.stats()).toMatchObject({ running: 1, waiting: 2, bytesInFlight: 60 });

    cancelBig.abort(new Error('cancelled by its owner'));
    await expect(big).rejects.toThrow('cancelled by its owner');
    // Its leaving lets the small one in at once, without waiting for the running job to end.
    expect(await granted(small)).toBe(true);
    expect(admission.stats()).toMatchObject({ running: 2, waiting: 0, bytesInFlight: 90 });
    releaseA();
    expect(admission.stats()).toMatchObject({ running: 1, bytesInFlight: 30 });
  });

  it('gives no turn to a job cancelled before it asks, and forgets a waiter once admitted', async () => {
    const admission = createAdmission({ slots: 1, maxBytes: 100 });
    const reason = new Error('cancelled by its owner');
    expect(() => admission.acquire(10, AbortSignal.abort(reason))).toThrow(reason);
    expect(admission.stats()).toMatchObject({ running: 0, waiting: 0, bytesInFlight: 0 });

    const releaseA = await admission.acquire(10, open());
    const cancelB = new AbortController();
    const b = admission.acquire(10, cancelB.signal);
    const c = admission.acquire(10, open());
    releaseA();
    expect(await granted(b)).toBe(true);
    // Cancelling B while it runs is its owner's business: C keeps its place in the queue.
    cancelB.abort(reason);
    expect(admission.stats()).toMatchObject({ running: 1, waiting: 1 });
    (await b)();
    expect(await granted(c)).toBe(true);
  });
});

describe('extraction results', () => {
  it('come as soon as the thread’s progress has arrived, never after waiting out the bound', async () => {
    // With a bound longer than the test's timeout, only the thread's end-of-progress marker can let it pass.
    const p = createExtractionPool(1, { progressDrainMs: 10 * 60_000 });
    pool = p;
    const progress: number[] = [];
    const extracted = await p.extract(new Uint8Array(PDF), 'application/pdf', {
      signal: new AbortController().signal,
      onProgress: ({ done }) => progress.push(done),
    });
    expect(extracted.pages).toBe(PAGES);
    expect(progress.at(-1)).toBe(PAGES);
  }, 20_000);
});
