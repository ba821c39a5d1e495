// How long a provider asked us to wait, read the way the openai SDK reads it (client.ts `retryRequest`), so
// that we refuse exactly the waits the SDK would otherwise honour.

/** `retry-after-ms` (milliseconds), else `Retry-After` (seconds or an HTTP date); undefined when absent. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (!Number.isNaN(ms)) return ms;
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (!Number.isNaN(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : date - now;
}

/**
 * The SDK's wait before retrying when no header says (0.5 s doubling up to 8 s, up to 25 % jitter off),
 * for the one retry it leaves to us: a stream that broke off after a successful start.
 */
export function backoffMs(retry: number): number {
  return Math.min(500 * 2 ** retry, 8000) * (1 - Math.random() * 0.25);
}
