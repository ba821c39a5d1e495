// One PDF page's text items (pdf.js getTextContent) → lines of text. pdf.js marks some line ends (hasEOL)
// and some spaces, but not where the content stream jumps (a running head after the page number, a caption
// beside a figure, a word set as two pieces): there the items' positions say whether a space or a line break
// belongs between them. Measured against pdftotext on tests/fixtures/pdfs (recall.test.ts).

export interface PdfTextItem {
  str?: string;
  hasEOL?: boolean;
  /** [a, b, c, d, x, y]: the text's matrix on the page; x, y is where the item starts on its baseline. */
  transform?: number[];
  /** Advance width and font height, in page units. */
  width?: number;
  height?: number;
}

/**
 * A gap wider than this share of the font size is a word space. Letter spacing and kerning stay well below
 * a tenth of it; a word space is a quarter to a third. pdftotext's own smallest word break is 0.1.
 */
const SPACE_GAP = 0.15;
/** A baseline that moves by more than this share of the font size starts a new line (a superscript's does not). */
const LINE_SHIFT = 0.6;
/** A baseline this much above the next item's is a superscript's. */
const SCRIPT_SHIFT = 0.15;
const FOOTNOTE_MARK = /^[\d*∗†‡§]+$/u;

/**
 * Glyphs a font maps to control characters (old TeX Type 3 fonts put a minus sign at code 0): nothing a reader
 * sees, and a NUL would make the whole text unstorable. A form feed would fake a page break.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F]/g;

interface Placed {
  x: number;
  y: number;
  end: number;
  size: number;
}

export function pageText(items: PdfTextItem[]): string {
  let text = '';
  let previous: Placed | undefined;
  let previousStr = '';
  let lineEnded = true;
  for (const item of items) {
    if (typeof item.str !== 'string') continue;
    const str = item.str.replace(CONTROL, '');
    const placed = placedOf(item);
    if (!lineEnded && str !== '') text += separator(previous, placed, previousStr, str);
    text += str;
    lineEnded = item.hasEOL === true;
    if (lineEnded) text += '\n';
    // An empty item placed nowhere (a bare line-end marker) does not move the pen.
    if (str !== '' || placed) previous = placed;
    if (str !== '') previousStr = str;
  }
  return text
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd();
}

/** Horizontal text only: rotated or vertical items keep pdf.js's own spacing. */
function placedOf(item: PdfTextItem): Placed | undefined {
  const [a, b, c, , x, y] = item.transform ?? [];
  if (a === undefined || x === undefined || y === undefined || a <= 0 || b !== 0 || c !== 0) return undefined;
  const size = item.height && item.height > 0 ? item.height : a;
  return { x, y, end: x + (item.width ?? 0), size };
}

function separator(
  previous: Placed | undefined,
  next: Placed | undefined,
  previousStr: string,
  str: string,
): string {
  if (!previous || !next) return '';
  const size = Math.max(previous.size, next.size);
  const shift = Math.abs(next.y - previous.y);
  if (shift > LINE_SHIFT * size) return '\n';
  if (/\s$/.test(previousStr) || /^\s/.test(str)) return '';
  // A raised footnote mark that starts a footnote or a link ("¹The", "²http") is not part of the word after
  // it; a mark after a word ("manual¹") and a subscript ("a₁") stay with their word, as pdftotext keeps them.
  if (FOOTNOTE_MARK.test(previousStr) && /^\p{L}/u.test(str) && previous.y - next.y > SCRIPT_SHIFT * size)
    return ' ';
  const gap = next.x - previous.end;
  // Far back on the same baseline: another column or block that happens to align.
  if (gap < -2 * size) return '\n';
  return gap > SPACE_GAP * size ? ' ' : '';
}
