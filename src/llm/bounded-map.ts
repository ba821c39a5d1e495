// Runs an async function over items with at most `concurrency` in flight; the first failure aborts the rest.

/**
 * Results in item order. The first error aborts `controller` (so calls in flight stop), waits for the
 * others to settle (nothing keeps running behind the caller's back) and is rethrown.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  controller: AbortController,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure && !controller.signal.aborted) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        // A call that failed because of the abort reports the abort's reason, not a failure of its own.
        failure ??= { error: controller.signal.aborted ? controller.signal.reason : error };
        controller.abort(failure.error);
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker);
  await Promise.all(workers);
  if (failure) throw failure.error;
  controller.signal.throwIfAborted();
  return results;
}
