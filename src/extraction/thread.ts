// The extraction thread's entries (piscina runs the default export once per task, or the one a task names):
// the bytes arrive transferred, progress goes back on the task's own port. The offline summariser ranks
// sentences here too: a large text costs it a second of CPU, which the API's event loop must not pay.
import type { MessagePort } from 'node:worker_threads';
import { extractiveSummary } from '../llm/builtin-extractive.js';
import type { SummaryOptions } from '../llm/options.js';
import { extractText } from './extract.js';
import { type ExtractionOutcome, PROGRESS_END } from './outcome.js';

export interface ExtractionJob {
  bytes: Uint8Array;
  mime: string;
  progress: MessagePort;
}

export default async function extract(job: ExtractionJob): Promise<ExtractionOutcome> {
  try {
    return await extractText(job.bytes, job.mime, (progress) => job.progress.postMessage(progress));
  } finally {
    job.progress.postMessage(PROGRESS_END);
    job.progress.close();
  }
}

export interface SummaryJob {
  text: string;
  options: SummaryOptions;
}

export function summarize(job: SummaryJob): string {
  return extractiveSummary(job.text, job.options);
}
