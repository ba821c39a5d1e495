// Progress that arrives faster than task rows can be updated: the latest update is sent as soon as the
// previous write is done, and the ones in between are dropped.
export function latestWins<Update>(send: (update: Update) => Promise<void>) {
  let latest: { update: Update } | undefined;
  let sending: Promise<void> | undefined;
  const drain = async () => {
    while (latest) {
      const { update } = latest;
      latest = undefined;
      // A cancel seen by an update aborts the task's signal (the worker does it); its error is not needed here.
      await send(update).catch(() => {});
    }
    sending = undefined;
  };
  return {
    report(update: Update) {
      latest = { update };
      sending ??= drain();
    },
    /** Resolves once the last update reported so far is written. */
    settled: () => sending ?? Promise.resolve(),
  };
}
