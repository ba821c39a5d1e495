// The extraction thread's entry (piscina runs the default export once per task): the bytes arrive
// transferred, progress goes back on the task's own port.
import type { MessagePort } from 'node:worker_threads';
import { extractText } from './extract.js';
import type { ExtractionOutcome } from './outcome.js';

export interface ExtractionJob {
  bytes: Uint8Array;
  mime: string;
  progress: MessagePort;
}

export default async function extract(job: ExtractionJob): Promise<ExtractionOutcome> {
  try {
    return await extractText(job.bytes, job.mime, (progress) => job.progress.postMessage(progress));
  } finally {
    job.progress.close();
  }
}
