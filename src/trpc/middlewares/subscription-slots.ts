// A bound on the live subscriptions one WebSocket connection holds: each keeps a listener, timers and a
// periodic auth re-check, and nothing else stops a client from opening them without end on one socket.
import { AppError } from '../../errors.js';

export interface SubscriptionSlots {
  readonly max: number;
  /** Takes a slot or refuses with RATE_LIMIT_EXCEEDED; the returned function gives it back (once). */
  take(): () => void;
}

export function createSubscriptionSlots(max: number): SubscriptionSlots {
  let open = 0;
  return {
    max,
    take() {
      if (open >= max) {
        throw new AppError(
          'RATE_LIMIT_EXCEEDED',
          `At most ${max} subscriptions per connection; stop one before starting another`,
        );
      }
      open++;
      let held = true;
      return () => {
        if (held) open--;
        held = false;
      };
    },
  };
}

/**
 * Gives the slot back when the subscription ends, whichever way: the source finishes or fails, the
 * consumer returns, or the call's signal aborts (a stop, or the socket closing, before iteration began).
 */
export function releasingWhenDone(
  source: AsyncIterable<unknown>,
  release: () => void,
  signal: AbortSignal | undefined,
): AsyncIterable<unknown> {
  signal?.addEventListener('abort', release, { once: true });
  if (signal?.aborted) release();
  return (async function* () {
    try {
      yield* source;
    } finally {
      release();
      signal?.removeEventListener('abort', release);
    }
  })();
}
