// Token counting and splitting a long text into chunks that fit a model's context, along paragraph, then
// sentence, then word boundaries.
import { graphemeSegmenter, sentenceSegmenter, wordSegmenter } from './segmenters.js';

// A measured estimate rather than a tokenizer: providers tokenize differently (OpenAI's o200k/cl100k, Qwen's,
// Llama's), so no one tokenizer is exact for an OpenAI-compatible endpoint, and js-tiktoken cost 1.1 s to load
// o200k and 8.5 s to encode 820 K Chinese characters (its BPE is quadratic on long CJK runs). Measured with
// js-tiktoken 1.0.21 on tests/fixtures/texts (2025):
//   English (Thoreau, 4,359 chars):  o200k 4.79 chars/token, cl100k 4.78  -> we count 4 chars/token (+20 %)
//   Chinese (鲁迅, 1,862 CJK chars):  o200k 1.13 chars/token, cl100k 0.77 -> we count 1 token per CJK char
//   Japanese (漱石, 707 CJK chars):   o200k 1.22 chars/token, cl100k 0.92
// So the estimate is high for English and o200k/Qwen-style CJK and up to 30 % low for cl100k on Chinese;
// map-reduce keeps 10 % of the context spare and reserves the answer's tokens on top.
export const CHARS_PER_TOKEN = 4;

// Han, kana, hangul, and CJK punctuation / full-width forms (each usually a token of its own).
const CJK_RUN =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\u30fc\uff00-\uffef]+/gu;

/** Token estimate as parts that add up exactly: CJK code points, and UTF-16 units of everything else. */
interface TokenParts {
  cjk: number;
  other: number;
}

function tokenParts(text: string): TokenParts {
  let cjk = 0;
  let cjkUnits = 0;
  for (const match of text.matchAll(CJK_RUN)) {
    const run = match[0];
    cjkUnits += run.length;
    for (let i = 0; i < run.length; i++) {
      const code = run.charCodeAt(i);
      if (code < 0xdc00 || code > 0xdfff) cjk++; // a low surrogate is the second half of one code point
    }
  }
  return { cjk, other: text.length - cjkUnits };
}

const tokensOf = (p: TokenParts): number => p.cjk + Math.ceil(p.other / CHARS_PER_TOKEN);

/** Estimated tokens of `text` for an OpenAI-compatible model (see the measurements above). */
export function countTokens(text: string): number {
  return tokensOf(tokenParts(text));
}

const PARAGRAPH_BREAK = /\n[ \t\r\f\v]*\n\s*/g;

/** The text cut after each paragraph break, separators kept, so the pieces cover the text exactly. */
function* paragraphs(text: string): Generator<string> {
  let start = 0;
  for (const match of text.matchAll(PARAGRAPH_BREAK)) {
    const end = match.index + match[0].length;
    yield text.slice(start, end);
    start = end;
  }
  if (start < text.length) yield text.slice(start);
}

/** Pieces no larger than `maxTokens`, each as large as its level allows: paragraph, sentence, word. */
function* pieces(text: string, maxTokens: number): Generator<string> {
  for (const paragraph of paragraphs(text)) {
    if (countTokens(paragraph) <= maxTokens) {
      yield paragraph;
      continue;
    }
    for (const { segment: sentence } of sentenceSegmenter.segment(paragraph)) {
      if (countTokens(sentence) <= maxTokens) {
        yield sentence;
        continue;
      }
      // A giant sentence goes word by word (ICU's dictionary finds words in CJK text without spaces); only
      // a single "word" larger than a chunk (a base64 blob, a 10 K-character URL) is cut, by graphemes.
      for (const { segment: word } of wordSegmenter.segment(sentence)) {
        if (countTokens(word) <= maxTokens) yield word;
        else for (const { segment } of graphemeSegmenter.segment(word)) yield segment;
      }
    }
  }
}

/**
 * Splits `text` into trimmed chunks of at most `maxTokens` estimated tokens, packing whole paragraphs while
 * they fit, else whole sentences, else whole words; consecutive pieces share a chunk as long as it fits.
 */
export function splitIntoChunks(text: string, maxTokens: number): string[] {
  if (!Number.isInteger(maxTokens) || maxTokens < 1)
    throw new RangeError(`maxTokens ${maxTokens} is not >= 1`);
  const chunks: string[] = [];
  let current: string[] = [];
  let size: TokenParts = { cjk: 0, other: 0 };
  const flush = () => {
    const chunk = current.join('').trim();
    if (chunk) chunks.push(chunk);
    current = [];
    size = { cjk: 0, other: 0 };
  };
  for (const piece of pieces(text, maxTokens)) {
    const parts = tokenParts(piece);
    const joined = { cjk: size.cjk + parts.cjk, other: size.other + parts.other };
    if (current.length && tokensOf(joined) > maxTokens) {
      flush();
      size = parts;
    } else {
      size = joined;
    }
    current.push(piece);
  }
  flush();
  return chunks;
}
