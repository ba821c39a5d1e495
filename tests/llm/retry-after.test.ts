// How long a provider asks us to wait, in each form the openai SDK honours (faults.test.ts covers the seconds and
// milliseconds forms end to end; an HTTP date and malformed values are read here), and the wait before retrying a
// broken stream.
import { describe, expect, it } from 'vitest';
import { backoffMs, retryAfterMs } from '../../src/llm/retry-after.js';

const now = Date.UTC(2025, 0, 15, 12, 0, 0);

describe('retryAfterMs', () => {
  it('reads retry-after-ms first, else Retry-After in seconds (fractions too)', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '10' }), now)).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': '3600' }), now)).toBe(3_600_000);
    expect(retryAfterMs(new Headers({ 'retry-after': '1.5' }), now)).toBe(1500);
    // A malformed retry-after-ms does not hide a valid Retry-After.
    expect(retryAfterMs(new Headers({ 'retry-after-ms': 'soon', 'retry-after': '2' }), now)).toBe(2000);
  });

  it('reads an HTTP date as the time left until it', () => {
    const inTwoHours = new Date(now + 2 * 3_600_000).toUTCString();
    expect(retryAfterMs(new Headers({ 'retry-after': inTwoHours }), now)).toBe(2 * 3_600_000);
    const past = new Date(now - 5000).toUTCString();
    expect(retryAfterMs(new Headers({ 'retry-after': past }), now)).toBe(-5000);
  });

  it('is undefined when no header says how long', () => {
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after': '' }), now)).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after': 'whenever you like' }), now)).toBeUndefined();
  });
});

describe('backoffMs', () => {
  it('starts at half a second, doubles up to 8 s, with at most 25 % taken off', () => {
    for (const [retry, full] of [
      [0, 500],
      [1, 1000],
      [3, 4000],
      [4, 8000],
      [10, 8000],
    ] as const) {
      for (let sample = 0; sample < 20; sample++) {
        const wait = backoffMs(retry);
        expect(wait).toBeLessThanOrEqual(full);
        expect(wait).toBeGreaterThanOrEqual(0.75 * full);
      }
    }
  });
});
