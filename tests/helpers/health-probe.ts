// /health latencies while some work runs in the same server process: what shows whether the work kept off
// the event loop that answers requests.

/** Calls GET /health every `pauseMs` until `work` settles; each answer must be 200. Returns the latencies in ms. */
export async function healthLatenciesDuring(baseUrl: string, work: Promise<unknown>, pauseMs: number) {
  let done = false;
  const settled = work.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  const latencies: number[] = [];
  while (!done) {
    const started = performance.now();
    const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(5_000) });
    if (response.status !== 200) throw new Error(`/health answered ${response.status}`);
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  await settled;
  return latencies;
}
