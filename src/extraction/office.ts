// DOCX (mammoth's raw text: one paragraph per line pair) and HTML (html-to-text: scripts, styles and images
// dropped, headings kept in their own case, lists as bullets, links without their URLs).
import { convert } from 'html-to-text';
import mammoth from 'mammoth';
import { UnreadableContent } from './outcome.js';

export async function extractDocx(bytes: Uint8Array): Promise<string> {
  try {
    const { value } = await mammoth.extractRawText({
      buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length),
    });
    return value.replace(/\n{3,}/g, '\n\n').trim();
  } catch {
    throw new UnreadableContent('The DOCX is damaged and cannot be read');
  }
}

const HEADINGS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({
  selector,
  options: { uppercase: false },
}));

const SKIPPED = ['script', 'style', 'noscript', 'template', 'img', 'svg', 'head'].map((selector) => ({
  selector,
  format: 'skip',
}));

export function extractHtml(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      ...SKIPPED,
      ...HEADINGS,
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    ],
  }).trim();
}
