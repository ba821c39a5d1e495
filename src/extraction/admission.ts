// Admission to the extraction threads: a job starts (and its file is read into memory) only when a thread is
// free and its bytes fit the budget next to the jobs already running, so WORKER_CONCURRENCY extracts of big
// files never hold all their bytes at once. A file larger than the whole budget still runs, alone. First come,
// first served: a big file waiting at the head is not overtaken by small ones forever.

export interface AdmissionStats {
  running: number;
  waiting: number;
  /** Bytes of the jobs admitted now. */
  bytesInFlight: number;
  /** The most bytesInFlight has been since the admission was made. */
  peakBytesInFlight: number;
}

export interface Admission {
  /** Waits for a turn for `bytes`; the answer releases it (once; later calls do nothing). */
  acquire(bytes: number, signal: AbortSignal): Promise<() => void>;
  stats(): AdmissionStats;
}

interface Waiter {
  bytes: number;
  admit(): void;
}

export function createAdmission(limits: { slots: number; maxBytes: number }): Admission {
  const queue: Waiter[] = [];
  let running = 0;
  let bytesInFlight = 0;
  let peakBytesInFlight = 0;

  const fits = (bytes: number) =>
    running < limits.slots && (running === 0 || bytesInFlight + bytes <= limits.maxBytes);

  const admitWaiting = () => {
    for (let next = queue[0]; next && fits(next.bytes); next = queue[0]) {
      queue.shift();
      next.admit();
    }
  };

  const take = (bytes: number) => {
    running += 1;
    bytesInFlight += bytes;
    peakBytesInFlight = Math.max(peakBytesInFlight, bytesInFlight);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      running -= 1;
      bytesInFlight -= bytes;
      admitWaiting();
    };
  };

  return {
    acquire(bytes, signal) {
      signal.throwIfAborted();
      if (queue.length === 0 && fits(bytes)) return Promise.resolve(take(bytes));
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          bytes,
          admit: () => {
            signal.removeEventListener('abort', leave);
            resolve(take(bytes));
          },
        };
        const leave = () => {
          queue.splice(queue.indexOf(waiter), 1);
          // The head leaving may let the next one in.
          admitWaiting();
          reject(signal.reason);
        };
        signal.addEventListener('abort', leave, { once: true });
        queue.push(waiter);
      });
    },
    stats: () => ({ running, waiting: queue.length, bytesInFlight, peakBytesInFlight }),
  };
}
