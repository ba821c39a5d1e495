// PDF text through pdf.js (unpdf's serverless build), one page at a time: each page's text is read and the
// page released before the next, so memory follows one page plus the text so far, and progress follows pages.
import { getDocumentProxy } from 'unpdf';
import { joinHyphenatedWords } from './hyphenation.js';
import { type ExtractionProgress, UnreadableContent } from './outcome.js';
import { type PdfTextItem, pageText } from './pdf-lines.js';

/** Pages are separated by a form feed, as pdftotext separates them. */
export const PAGE_SEPARATOR = '\f';

export async function extractPdf(
  bytes: Uint8Array,
  onProgress: (progress: ExtractionProgress) => void,
): Promise<{ text: string; pages: number }> {
  const pdf = await openPdf(bytes);
  try {
    const pageTexts: string[] = [];
    for (let number = 1; number <= pdf.numPages; number++) {
      const page = await pdf.getPage(number).catch(damaged);
      const content = await page.getTextContent().catch(damaged);
      pageTexts.push(pageText(content.items as PdfTextItem[]));
      page.cleanup();
      onProgress({ done: number, total: pdf.numPages, unit: 'page' });
    }
    if (pageTexts.every((text) => text.trim() === '')) {
      throw new UnreadableContent(
        pdf.numPages === 0
          ? 'The PDF has no pages'
          : 'The PDF has no text layer (a scan or images only): text from images needs a vision-capable model',
      );
    }
    // Joined over the whole text: a word's other uses anywhere in the document decide its hyphen.
    return { text: joinHyphenatedWords(pageTexts.join(PAGE_SEPARATOR)), pages: pdf.numPages };
  } finally {
    await pdf.loadingTask.destroy();
  }
}

async function openPdf(bytes: Uint8Array) {
  try {
    // pdf.js takes ownership of (and detaches) the buffer it is given.
    return await getDocumentProxy(bytes, { stopAtErrors: true, verbosity: 0 });
  } catch (error) {
    if ((error as { name?: string }).name === 'PasswordException') {
      throw new UnreadableContent(
        'The PDF is encrypted (password-protected): upload a copy without the password',
      );
    }
    throw damagedError();
  }
}

function damagedError(): UnreadableContent {
  return new UnreadableContent('The PDF is damaged and cannot be read');
}

function damaged(): never {
  throw damagedError();
}
