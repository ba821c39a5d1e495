// document.extract: a file's text becomes a document. The parsing runs in the extraction thread pool; this
// handler hands it the file to read once admitted, reports progress page by page, and writes the one row at
// the end, so a failure leaves nothing behind. The same content by the same extractor version is extracted once per owner.
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { ExtractedText, ExtractionProgress } from '../../extraction/outcome.js';
import { EXTRACTOR_VERSION } from '../../extraction/version.js';
import { defineTask } from '../define-task.js';
import { findDocumentOfContent, findSourceFile, insertDocument } from '../document-rows.js';
import { IMAGE_TYPES, imageText } from '../image-text.js';
import { latestWins } from '../latest-wins.js';

export const ZExtractInput = z.object({ fileId: z.uuid() });

export interface ExtractResult {
  documentId: string;
  /** True when this content had been extracted before (by this extractor): nothing was parsed again. */
  reused: boolean;
}

export const documentExtractTask = defineTask('document.extract', {
  input: ZExtractInput,
  // Missing files and unreadable content fail the same way on every attempt.
  finalCodes: ['RESOURCE_NOT_FOUND', 'FILE_TYPE_INVALID', 'API_KEY_INVALID', 'LLM_UNAVAILABLE'],
  async run({ input, ownerId, deps, progress, signal }): Promise<ExtractResult> {
    const file = await findSourceFile(deps.db, ownerId, input.fileId);
    if (!file) throw new AppError('RESOURCE_NOT_FOUND', 'No such file');
    const existing = await findDocumentOfContent(deps.db, ownerId, file.sha256, EXTRACTOR_VERSION);
    if (existing) return { documentId: existing.id, reused: true };
    let started = performance.now();
    let extracted: ExtractedText;
    if (IMAGE_TYPES.has(file.mime)) {
      await progress(0, 'reading the image with a vision model');
      extracted = await imageText(deps, ownerId, file, () => deps.blobs.get(file.sha256), signal);
    } else {
      await progress(0, 'waiting for an extraction thread');
      // Read only once the pool admits the job: bytes in memory stay within EXTRACT_MAX_BYTES_IN_FLIGHT. The
      // time waiting for a turn is not extraction time.
      const source = {
        size: file.size,
        read: async (readSignal: AbortSignal) => {
          started = performance.now();
          return readAll(await deps.blobs.get(file.sha256), file.size, readSignal);
        },
      };
      // Pages arrive from the thread faster than rows can be updated: the latest wins.
      const reporter = latestWins((update: ExtractionProgress) => progress(...describe(update)));
      extracted = await deps.extraction
        .extract(source, file.mime, { signal, onProgress: reporter.report })
        .finally(reporter.settled);
    }
    const extractionMs = Math.round(performance.now() - started);

    const documentId = await insertDocument(deps.db, {
      ownerId,
      fileId: file.id,
      sha256: file.sha256,
      ...extracted,
      extractionMs,
      extractorVersion: EXTRACTOR_VERSION,
    });
    if (documentId) return { documentId, reused: false };
    const raced = await findDocumentOfContent(deps.db, ownerId, file.sha256, EXTRACTOR_VERSION);
    if (!raced) throw new Error('document insert conflicted but no document was found');
    return { documentId: raced.id, reused: true };
  },
});

/**
 * The blob's bytes in a buffer of their own (its memory is handed to the extraction thread, never a slice
 * of Node's shared pool), read in the file's recorded size.
 */
async function readAll(stream: Readable, size: number, signal: AbortSignal): Promise<Uint8Array> {
  const bytes = new Uint8Array(size);
  let at = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      signal.throwIfAborted();
      if (at + chunk.length > size) throw new Error('the stored blob is larger than its file row says');
      bytes.set(chunk, at);
      at += chunk.length;
    }
  } finally {
    stream.destroy();
  }
  if (at !== size) throw new Error('the stored blob is smaller than its file row says');
  return bytes;
}

/** A page (or a step of a one-piece format) as the task row shows it. */
function describe({ done, total, unit }: ExtractionProgress): [number, string] {
  return [5 + (90 * done) / Math.max(total, 1), unit === 'page' ? `page ${done} of ${total}` : 'parsing'];
}
