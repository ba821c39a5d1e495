// The extraction thread pool (piscina): parsing runs in worker threads, so a 300-page PDF never stalls the
// event loop that answers requests in the same process (`npm start` runs API and task handlers together).
// EXTRACT_THREADS threads at most; a cancelled task's thread is stopped mid-parse (piscina ends it on abort).
// A job is admitted (and its bytes read) only when a thread is free and its bytes fit EXTRACT_MAX_BYTES_IN_FLIGHT.
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { AppError } from '../errors.js';
import type { SummaryOptions } from '../llm/options.js';
import { type AdmissionStats, createAdmission } from './admission.js';
import {
  type ExtractedText,
  type ExtractionOutcome,
  type ExtractionProgress,
  PROGRESS_END,
} from './outcome.js';
import type { ExtractionJob, SummaryJob } from './thread.js';

/** A file to extract, read only once the pool admits it: `size` bytes, which `read` returns. */
export interface ExtractionSource {
  size: number;
  read(signal: AbortSignal): Promise<Uint8Array>;
}

export interface ExtractionPool {
  /**
   * The text of the source's bytes (transferred to the thread: the buffer is detached), or AppError
   * FILE_TYPE_INVALID. Bytes given directly are already held, but count against the budget all the same.
   */
  extract(
    source: ExtractionSource | Uint8Array,
    mime: string,
    options: { signal: AbortSignal; onProgress(progress: ExtractionProgress): void },
  ): Promise<ExtractedText>;
  /**
   * The built-in extractive summary of a text, ranked in a thread; it takes a turn and counts against the
   * budget like a file (its text is copied to the thread).
   */
  extractiveSummary(text: string, options: SummaryOptions, signal: AbortSignal): Promise<string>;
  /** Jobs running and waiting, and the bytes they hold: what the budget bounds. */
  stats(): AdmissionStats;
  close(): Promise<void>;
}

/** At most this long for the last progress messages after a result (they come within microseconds). */
const PROGRESS_DRAIN_MS = 1000;

/** With no budget given, one thread's worth of a large upload. */
export const DEFAULT_MAX_BYTES_IN_FLIGHT = 256 * 1024 * 1024;

export function createExtractionPool(
  threads: number,
  {
    maxBytesInFlight = DEFAULT_MAX_BYTES_IN_FLIGHT,
    progressDrainMs = PROGRESS_DRAIN_MS,
  }: { maxBytesInFlight?: number; progressDrainMs?: number } = {},
): ExtractionPool {
  const admission = createAdmission({ slots: threads, maxBytes: maxBytesInFlight });
  const pool = new Piscina<ExtractionJob | SummaryJob, ExtractionOutcome | string>({
    ...threadEntry(),
    minThreads: 0,
    maxThreads: threads,
    // A thread holds pdf.js and mammoth once loaded: keep it a while for the next task, not forever.
    idleTimeout: 60_000,
  });
  return {
    async extract(source, mime, { signal, onProgress }) {
      const size = source instanceof Uint8Array ? source.length : source.size;
      const release = await admission.acquire(size, signal);
      const channel = new MessageChannel();
      // The result comes back on piscina's port, often before the progress sent on ours: the thread ends its
      // progress with PROGRESS_END, and messages on one port arrive in order. (The port's 'close' event is no
      // signal here: it came only after the 1 s bound, which every extraction then waited out.)
      let delivered!: () => void;
      const allProgress = new Promise<void>((resolve) => {
        delivered = resolve;
      });
      channel.port1.on('message', (message: ExtractionProgress | typeof PROGRESS_END) => {
        if (message === PROGRESS_END) delivered();
        else onProgress(message);
      });
      try {
        const bytes = source instanceof Uint8Array ? source : await source.read(signal);
        const outcome = (await pool.run(
          { bytes, mime, progress: channel.port2 },
          { transferList: [channel.port2, bytes.buffer as ArrayBuffer], signal },
        )) as ExtractionOutcome;
        await within(allProgress, progressDrainMs);
        if (outcome.refused) throw new AppError(outcome.code, outcome.message);
        const { refused: _, ...extracted } = outcome;
        return extracted;
      } catch (error) {
        // piscina's own abort error: the caller's signal says why (cancel, shutdown, expiry).
        if (signal.aborted) throw signal.reason;
        throw error;
      } finally {
        channel.port1.close();
        release();
      }
    },
    async extractiveSummary(text, options, signal) {
      // UTF-16 in memory, on both sides of the copy.
      const release = await admission.acquire(4 * text.length, signal);
      try {
        const job: SummaryJob = { text, options };
        return (await pool.run(job, { name: 'summarize', signal })) as string;
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        throw error;
      } finally {
        release();
      }
    },
    stats: () => admission.stats(),
    close: () => pool.close({ force: true }),
  };
}

function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The thread's module, next to this one: `thread.js` in the build. Run from TypeScript sources (`npm start`
 * under tsx, vitest) it is `thread.ts`, which a new thread can load only with tsx's loader registered in it:
 * `--import tsx` is in the process's own flags under `npm start`, but not under vitest, so it is always given.
 */
function threadEntry(): { filename: string; execArgv?: string[] } {
  if (!import.meta.url.endsWith('.ts'))
    return { filename: fileURLToPath(new URL('./thread.js', import.meta.url)) };
  return {
    filename: fileURLToPath(new URL('./thread.ts', import.meta.url)),
    execArgv: ['--import', import.meta.resolve('tsx')],
  };
}
