// Bytes of a stored file → its text, by the file's detected type. CPU-heavy: runs in an extraction thread
// (thread.ts), never on the event loop that answers requests.

import { guessLanguage } from './language.js';
import { extractDocx, extractHtml } from './office.js';
import { type ExtractionOutcome, type ExtractionProgress, UnreadableContent } from './outcome.js';
import { extractPdf } from './pdf.js';
import { searchTokens } from './search-tokens.js';
import { countWords } from './words.js';

/** The types extraction reads (what file.upload accepts, less images). */
export const EXTRACTABLE_TYPES = [
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'text/html',
  'text/markdown',
  'text/plain',
  'text/csv',
  'application/json',
] as const;

export async function extractText(
  bytes: Uint8Array,
  mime: string,
  onProgress: (progress: ExtractionProgress) => void,
): Promise<ExtractionOutcome> {
  try {
    const { text, pages } = await textOf(bytes, mime, onProgress);
    if (text.trim() === '') throw new UnreadableContent('The file has no text to extract');
    if (text.includes('\0')) throw new UnreadableContent('The file contains NUL characters');
    return {
      refused: false,
      text,
      pages,
      words: countWords(text),
      language: guessLanguage(text),
      searchTokens: searchTokens(text),
    };
  } catch (error) {
    if (error instanceof UnreadableContent) {
      return { refused: true, code: 'FILE_TYPE_INVALID', message: error.message };
    }
    throw error;
  }
}

async function textOf(
  bytes: Uint8Array,
  mime: string,
  onProgress: (progress: ExtractionProgress) => void,
): Promise<{ text: string; pages: number | null }> {
  const step = (done: number) => onProgress({ done, total: 2, unit: 'step' });
  switch (mime) {
    case 'application/pdf':
      return extractPdf(bytes, onProgress);
    case 'application/vnd.openxmlformats-officedocument.wordprocessingml.document': {
      step(1);
      return { text: await extractDocx(bytes), pages: null };
    }
    case 'text/html': {
      step(1);
      return { text: extractHtml(decodeUtf8(bytes)), pages: null };
    }
    case 'text/markdown':
    case 'text/plain':
    case 'text/csv':
    case 'application/json':
      return { text: decodeUtf8(bytes).replace(/\r\n?/g, '\n'), pages: null };
    default:
      throw new UnreadableContent(`Text cannot be extracted from ${mime} files`);
  }
}

/** Uploads of text types were checked to be UTF-8; a leading byte-order mark is not part of the text. */
function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new UnreadableContent('The file is not valid UTF-8 text');
  }
}
