// Text extraction itself, through the same thread pool the worker uses (so loading the TypeScript thread
// module under vitest is checked too): each format's exact text, page counts, refusals, language, words.
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import type { ExtractionProgress } from '../../src/extraction/outcome.js';
import { createExtractionPool } from '../../src/extraction/pool.js';
import { makeDocx } from '../fixtures/docx.js';
import { makePdf } from '../fixtures/pdf.js';

const pool = createExtractionPool(1);
afterAll(() => pool.close());

const PDF = 'application/pdf';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

async function extract(bytes: Buffer | string, mime: string) {
  const events: ExtractionProgress[] = [];
  const result = await pool.extract(new Uint8Array(Buffer.from(bytes)), mime, {
    signal: new AbortController().signal,
    onProgress: (event) => events.push(event),
  });
  return { ...result, events };
}

async function refusal(bytes: Buffer | string, mime: string) {
  try {
    await extract(bytes, mime);
    return 'no error';
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, message: error.message };
    throw error;
  }
}

describe('PDF', () => {
  it('extracts every page in order, pages separated by a form feed, with progress per page', async () => {
    const pdf = makePdf([
      ['The quick brown fox', 'jumps over the lazy dog.'],
      ['Page two (with parentheses) and a back\\slash'],
      ['The end of the story is on the third page.'],
    ]);
    const result = await extract(pdf, PDF);
    expect(result.text).toBe(
      'The quick brown fox\njumps over the lazy dog.\fPage two (with parentheses) and a back\\slash\fThe end of the story is on the third page.',
    );
    expect(result.pages).toBe(3);
    expect(result.words).toBe(27);
    expect(result.language).toBe('en');
    expect(result.events).toEqual([1, 2, 3].map((done) => ({ done, total: 3, unit: 'page' })));
  });

  it('refuses an encrypted PDF, a corrupt one and one without text, each saying why', async () => {
    expect(await refusal(makePdf([['Secret']], { userPassword: 'pw' }), PDF)).toEqual({
      code: 'FILE_TYPE_INVALID',
      message: 'The PDF is encrypted (password-protected): upload a copy without the password',
    });
    expect(await refusal('%PDF-1.4\nthis is not a PDF at all', PDF)).toEqual({
      code: 'FILE_TYPE_INVALID',
      message: 'The PDF is damaged and cannot be read',
    });
    const truncated = makePdf([['Cut short']]).subarray(0, 60);
    expect(await refusal(truncated, PDF)).toMatchObject({ code: 'FILE_TYPE_INVALID' });
    expect(await refusal(makePdf([[], []]), PDF)).toEqual({
      code: 'FILE_TYPE_INVALID',
      message:
        'The PDF has no text layer (a scan or images only): text from images needs a vision-capable model',
    });
  });
});

describe('other formats', () => {
  it('DOCX: paragraphs separated by a blank line', async () => {
    const docx = makeDocx(['# Quarterly report', 'Revenue grew by 5 % & costs fell.', 'Next steps: hire.']);
    const result = await extract(docx, DOCX);
    expect(result.text).toBe('Quarterly report\n\nRevenue grew by 5 % & costs fell.\n\nNext steps: hire.');
    expect(result.pages).toBeNull();
    expect(await refusal(Buffer.from('PK\u0003\u0004 broken zip'), DOCX)).toEqual({
      code: 'FILE_TYPE_INVALID',
      message: 'The DOCX is damaged and cannot be read',
    });
  });

  it('HTML: scripts and styles dropped, headings in their own case, lists as bullets, links without URLs', async () => {
    const html = `<!doctype html><html><head><title>T</title><style>p { color: red }</style>
      <script>alert('no')</script></head><body><h1>Release Notes</h1><p>Read the <a href="https://x.test/">guide</a>.</p>
      <ul><li>First item</li><li>Second item</li></ul><script>var hidden = 1;</script><noscript>enable JS</noscript></body></html>`;
    const result = await extract(html, 'text/html');
    expect(result.text).toBe('Release Notes\n\nRead the guide.\n\n * First item\n * Second item');
  });

  it('Markdown, TXT, CSV and JSON as they are (line ends normalised, byte-order mark dropped)', async () => {
    expect((await extract('# Title\r\n\r\nSome *text*.\r\n', 'text/markdown')).text).toBe(
      '# Title\n\nSome *text*.\n',
    );
    expect((await extract('\ufeffplain text', 'text/plain')).text).toBe('plain text');
    expect((await extract('a,b\n1,2\n', 'text/csv')).text).toBe('a,b\n1,2\n');
    expect((await extract('{"k": "v"}', 'application/json')).text).toBe('{"k": "v"}');
    expect(await refusal('   \n ', 'text/plain')).toEqual({
      code: 'FILE_TYPE_INVALID',
      message: 'The file has no text to extract',
    });
  });

  it('guesses the language from the writing system and counts words inside CJK sentences', async () => {
    const zh = await extract('我们今天去公园散步，天气很好。', 'text/plain');
    expect(zh.language).toBe('zh');
    expect(zh.words).toBeGreaterThan(4);
    expect((await extract('今日は公園を散歩しました。とても楽しかったです。', 'text/plain')).language).toBe(
      'ja',
    );
    expect((await extract('오늘은 공원에서 산책을 했습니다.', 'text/plain')).language).toBe('ko');
    expect((await extract('Привет, как дела? Всё хорошо.', 'text/plain')).language).toBe('und-Cyrl');
    expect((await extract('Der schnelle braune Fuchs springt.', 'text/plain')).language).toBe('und-Latn');
    expect((await extract('12345 67890', 'text/plain')).language).toBe('und');
  });
});

describe('the pool', () => {
  it('stops a parse when its signal aborts, with the signal’s reason', async () => {
    const pages = Array.from({ length: 400 }, (_, i) => [`Page ${i + 1} of a long document`]);
    const controller = new AbortController();
    const reason = new Error('cancelled by the test');
    const running = pool.extract(new Uint8Array(makePdf(pages)), PDF, {
      signal: controller.signal,
      onProgress: (event) => {
        if (event.done === 5) controller.abort(reason);
      },
    });
    await expect(running).rejects.toBe(reason);
    // The pool still works after a thread was stopped mid-parse.
    expect((await extract('still here', 'text/plain')).text).toBe('still here');
  });
});
