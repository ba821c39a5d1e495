// One PDF page's text items → lines, on items placed by hand: where a space or a line break goes when pdf.js's
// own marks do not say (recall.test.ts measures the whole against pdftotext; this pins each rule, since in the
// extraction threads the rules run out of reach of a test's assertions about one case).
import { describe, expect, it } from 'vitest';
import { type PdfTextItem, pageText } from '../../src/extraction/pdf-lines.js';

/** An item of `str` at x, y (its baseline) in a 10-unit font, one unit of advance per character. */
const at = (str: string, x: number, y: number, more: Partial<PdfTextItem> = {}): PdfTextItem => ({
  str,
  transform: [10, 0, 0, 10, x, y],
  width: str.length,
  height: 10,
  ...more,
});

describe('pageText', () => {
  it('follows pdf.js’s line ends and keeps its spaces, tidying the ends of lines and blank runs', () => {
    const text = pageText([
      at('Title  ', 0, 700, { hasEOL: true }),
      at('', 0, 0, { hasEOL: true, transform: undefined }),
      at('', 0, 0, { hasEOL: true, transform: undefined }),
      at('', 0, 0, { hasEOL: true, transform: undefined }),
      at('First', 0, 650),
      at(' line', 5, 650, { hasEOL: true }),
      at('end', 0, 630, { hasEOL: true }),
    ]);
    expect(text).toBe('Title\n\nFirst line\nend');
  });

  it('puts a space where the gap is a word space, and none for kerning or a word set in two pieces', () => {
    // Advance ends at x = 5; 1.5 units is 0.15 of the font size.
    expect(pageText([at('Hello', 0, 100), at('world', 8, 100)])).toBe('Hello world');
    expect(pageText([at('Hello', 0, 100), at('world', 6.6, 100)])).toBe('Hello world');
    expect(pageText([at('Hel', 0, 100), at('lo', 3.4, 100)])).toBe('Hello');
    expect(pageText([at('Hel', 0, 100), at('lo', 4.5, 100)])).toBe('Hello');
    // The font height, when given, is the size the gap is measured against; else the matrix's scale.
    expect(pageText([at('Hel', 0, 100, { height: 40 }), at('lo', 8, 100)])).toBe('Hello');
    const large = [40, 0, 0, 40, 0, 100];
    expect(pageText([at('Hel', 0, 100, { height: 0, transform: large }), at('lo', 8, 100)])).toBe('Hello');
  });

  it('starts a new line where the baseline moves (a running head after the page number), not for a superscript', () => {
    expect(pageText([at('12', 0, 20), at('Running head', 0, 780)])).toBe('12\nRunning head');
    expect(pageText([at('down', 0, 100), at('below', 0, 93)])).toBe('down\nbelow');
    expect(pageText([at('E = mc', 0, 100), at('2', 6, 104)])).toBe('E = mc2');
  });

  it('breaks the line for a block far back on the same baseline (another column)', () => {
    expect(pageText([at('right column', 300, 100), at('left column', 0, 100)])).toBe(
      'right column\nleft column',
    );
    // A step back of less than two font sizes is overprinting or an accent, not another block.
    expect(pageText([at('abc', 20, 100), at('d', 5, 100)])).toBe('abcd');
  });

  it('separates a raised footnote mark from the word it starts, and keeps a mark after a word with it', () => {
    expect(pageText([at('1', 0, 105), at('The note', 1, 100)])).toBe('1 The note');
    expect(pageText([at('†', 0, 105), at('http://x', 1, 100)])).toBe('† http://x');
    expect(pageText([at('manual', 0, 100), at('1', 6, 105)])).toBe('manual1');
    // A mark on the baseline, or before a digit, is not a footnote's start.
    expect(pageText([at('1', 0, 100), at('The', 1, 100)])).toBe('1The');
    expect(pageText([at('1', 0, 105), at('23', 1, 100)])).toBe('123');
  });

  it('adds no space where the text already has one', () => {
    expect(pageText([at('Hello ', 0, 100), at('world', 9, 100)])).toBe('Hello world');
    expect(pageText([at('Hello', 0, 100), at(' world', 9, 100)])).toBe('Hello world');
  });

  it('keeps pdf.js’s spacing for rotated or vertical text', () => {
    const rotated = (str: string, x: number, y: number) =>
      at(str, x, y, { transform: [0, 10, -10, 0, x, y] });
    expect(pageText([rotated('Side', 100, 0), rotated('ways', 100, 300)])).toBe('Sideways');
    // Tilted a little: its baseline climbs along the line, which is no line break.
    const tilted = (str: string, x: number, y: number) =>
      at(str, x, y, { transform: [9.8, 2, -2, 9.8, x, y] });
    expect(pageText([tilted('Tilted ', 0, 100), tilted('label', 50, 110)])).toBe('Tilted label');
    expect(pageText([at('Up', 0, 100, { transform: [-10, 0, 0, -10, 0, 100] }), at('side', 50, 100)])).toBe(
      'Upside',
    );
  });

  it('drops control characters a font maps glyphs to, and items without text', () => {
    expect(pageText([at('x\u0000y\fz\tw', 0, 100), { hasEOL: true }, at('next', 10, 100)])).toBe(
      'xyz\tw next',
    );
  });

  it('does not move the pen for a bare line-end marker placed nowhere', () => {
    const items = [at('one', 0, 100), at('', 0, 0, { transform: undefined }), at('two', 10, 100)];
    expect(pageText(items)).toBe('one two');
  });
});
