// The extraction thread pool (piscina): parsing runs in worker threads, so a 300-page PDF never stalls the
// event loop that answers requests in the same process (`npm start` runs API and task handlers together).
// EXTRACT_THREADS threads at most; a cancelled task's thread is stopped mid-parse (piscina ends it on abort).
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { AppError } from '../errors.js';
import type { ExtractedText, ExtractionOutcome, ExtractionProgress } from './outcome.js';
import type { ExtractionJob } from './thread.js';

export interface ExtractionPool {
  /** The text of `bytes` (transferred: the caller's buffer is detached), or AppError FILE_TYPE_INVALID. */
  extract(
    bytes: Uint8Array,
    mime: string,
    options: { signal: AbortSignal; onProgress(progress: ExtractionProgress): void },
  ): Promise<ExtractedText>;
  close(): Promise<void>;
}

export function createExtractionPool(threads: number): ExtractionPool {
  const pool = new Piscina<ExtractionJob, ExtractionOutcome>({
    ...threadEntry(),
    minThreads: 0,
    maxThreads: threads,
    // A thread holds pdf.js and mammoth once loaded: keep it a while for the next task, not forever.
    idleTimeout: 60_000,
  });
  return {
    async extract(bytes, mime, { signal, onProgress }) {
      const channel = new MessageChannel();
      channel.port1.on('message', (progress: ExtractionProgress) => onProgress(progress));
      try {
        const outcome = await pool.run(
          { bytes, mime, progress: channel.port2 },
          { transferList: [channel.port2, bytes.buffer as ArrayBuffer], signal },
        );
        if (outcome.refused) throw new AppError(outcome.code, outcome.message);
        const { refused: _, ...extracted } = outcome;
        return extracted;
      } catch (error) {
        // piscina's own abort error: the caller's signal says why (cancel, shutdown, expiry).
        if (signal.aborted) throw signal.reason;
        throw error;
      } finally {
        channel.port1.close();
      }
    },
    close: () => pool.close({ force: true }),
  };
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
