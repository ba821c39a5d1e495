// How close our PDF text is to poppler's `pdftotext` (the reference): word recall and precision as
// multisets, and an order-sensitive figure (the share of the reference's word bigrams found in ours).
// Both texts are normalised the same way: Unicode NFKC (ligatures become letters), case-folded, words as
// Intl.Segmenter finds them (punctuation dropped, Chinese/Japanese split into words), and line breaks inside
// CJK text removed (they split no word there). Words hyphenated across a line end are left as they are:
// pdftotext joins them itself (dropping the hyphen), so an extractor that does not is counted as missing them.
import { execFileSync } from 'node:child_process';

const segmenter = new Intl.Segmenter('en', { granularity: 'word' });
const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}';

export function normalisedWords(text: string): string[] {
  const joined = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(new RegExp(`([${CJK}])\\s*\\n\\s*([${CJK}])`, 'gu'), '$1$2');
  const words: string[] = [];
  for (const segment of segmenter.segment(joined)) if (segment.isWordLike) words.push(segment.segment);
  return words;
}

export interface RecallFigures {
  referenceWords: number;
  ourWords: number;
  /** Reference words (with multiplicity) that ours also has. */
  recall: number;
  /** Our words (with multiplicity) that the reference also has. */
  precision: number;
  /** Reference word bigrams (with multiplicity) that ours also has: low when reading order differs. */
  bigramRecall: number;
}

export function compareWords(ours: string, reference: string): RecallFigures {
  const our = normalisedWords(ours);
  const ref = normalisedWords(reference);
  const common = multisetOverlap(our, ref);
  return {
    referenceWords: ref.length,
    ourWords: our.length,
    recall: ref.length ? common / ref.length : 1,
    precision: our.length ? common / our.length : 1,
    bigramRecall: ref.length > 1 ? multisetOverlap(bigrams(our), bigrams(ref)) / (ref.length - 1) : 1,
  };
}

function bigrams(words: string[]): string[] {
  return words.slice(1).map((word, i) => `${words[i]} ${word}`);
}

function multisetOverlap(a: string[], b: string[]): number {
  const counts = new Map<string, number>();
  for (const item of a) counts.set(item, (counts.get(item) ?? 0) + 1);
  let common = 0;
  for (const item of b) {
    const left = counts.get(item) ?? 0;
    if (left > 0) {
      common += 1;
      counts.set(item, left - 1);
    }
  }
  return common;
}

/** poppler's text of a PDF (reading-order mode, UTF-8, pages separated by form feeds). */
export function pdftotext(path: string): string {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', path, '-'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** The page count poppler reads. */
export function pdfPages(path: string): number {
  const info = execFileSync('pdfinfo', [path], { encoding: 'utf8' });
  const pages = /^Pages:\s+(\d+)/m.exec(info)?.[1];
  if (!pages) throw new Error(`pdfinfo gave no page count for ${path}`);
  return Number(pages);
}

export function hasPdftotext(): boolean {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
