// Chunking: token limits hold and chunks end on paragraph, sentence or word boundaries, in English and Chinese.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countTokens, splitIntoChunks } from '../../src/llm/chunking.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/texts/${name}`, import.meta.url), 'utf8');
const english = fixture('thoreau-civil-disobedience.en.txt');
const chinese = fixture('luxun-kong-yiji.zh.txt');
const squash = (s: string) => s.replace(/\s+/g, '');

/** Offsets in `text` where `chunks` end, found by walking the text (chunks are trimmed substrings in order). */
function chunkEnds(text: string, chunks: string[]): number[] {
  let at = 0;
  return chunks.map((chunk) => {
    const start = text.indexOf(chunk, at);
    expect(start).toBeGreaterThanOrEqual(0);
    at = start + chunk.length;
    return at;
  });
}

const boundaries = (text: string, granularity: 'sentence' | 'word') => {
  const ends = new Set<number>();
  for (const s of new Intl.Segmenter('en', { granularity }).segment(text)) {
    ends.add(s.index + s.segment.length);
    ends.add(s.index + s.segment.trimEnd().length);
  }
  return ends;
};

describe('countTokens', () => {
  it('counts 4 characters a token outside CJK and a token per CJK character', () => {
    expect(countTokens('abcd'.repeat(10))).toBe(10);
    expect(countTokens('abcde')).toBe(2);
    expect(countTokens('孔乙己')).toBe(3);
    expect(countTokens('孔乙己，abcd。')).toBe(6);
    expect(countTokens('')).toBe(0);
    // A Han character beyond the BMP (two UTF-16 units) is one character, one token.
    expect(countTokens('𠀀𠮷野家')).toBe(4);
  });
});

describe('splitIntoChunks', () => {
  it('keeps whole paragraphs together when each fits', () => {
    const chunks = splitIntoChunks(english, 450);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(countTokens(chunk)).toBeLessThanOrEqual(450);
    for (const paragraph of english.split(/\n\s*\n/).map((p) => p.trim()))
      expect(chunks.some((c) => c.includes(paragraph))).toBe(true);
    expect(squash(chunks.join(''))).toBe(squash(english));
  });

  it('cuts English paragraphs at sentence ends when a paragraph is too large', () => {
    const longest = Math.max(
      ...[...new Intl.Segmenter('en', { granularity: 'sentence' }).segment(english)].map((s) =>
        countTokens(s.segment),
      ),
    );
    expect(longest).toBeLessThan(150); // so no sentence needs cutting at this size
    const chunks = splitIntoChunks(english, 150);
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) expect(countTokens(chunk)).toBeLessThanOrEqual(150);
    const sentenceEnds = boundaries(english, 'sentence');
    for (const end of chunkEnds(english, chunks)) expect(sentenceEnds.has(end)).toBe(true);
    expect(squash(chunks.join(''))).toBe(squash(english));
  });

  it('cuts Chinese text at sentence ends', () => {
    const sentences = [...new Intl.Segmenter('zh', { granularity: 'sentence' }).segment(chinese)];
    expect(Math.max(...sentences.map((s) => countTokens(s.segment)))).toBeLessThan(200);
    const chunks = splitIntoChunks(chinese, 200);
    expect(chunks.length).toBeGreaterThan(8);
    for (const chunk of chunks) {
      expect(countTokens(chunk)).toBeLessThanOrEqual(200);
      expect(chunk).toMatch(/[。！？…”]$/);
    }
    const sentenceEnds = boundaries(chinese, 'sentence');
    for (const end of chunkEnds(chinese, chunks)) expect(sentenceEnds.has(end)).toBe(true);
    expect(squash(chunks.join(''))).toBe(squash(chinese));
  });

  it('splits a giant English sentence between words, never inside one', () => {
    const words = english.replace(/[.?!;]/g, '').split(/\s+/);
    const giant = Array.from({ length: 5 }, () => words.join(' ')).join(' ');
    const chunks = splitIntoChunks(giant, 64);
    expect(chunks.length).toBeGreaterThan(20);
    for (const chunk of chunks) expect(countTokens(chunk)).toBeLessThanOrEqual(64);
    const wordEnds = boundaries(giant, 'word');
    for (const end of chunkEnds(giant, chunks)) expect(wordEnds.has(end)).toBe(true);
    expect(squash(chunks.join(''))).toBe(squash(giant));
  });

  it('splits Chinese without punctuation along the words ICU finds, never inside one', () => {
    const giant = chinese.replace(/[\p{P}\s]/gu, '');
    const chunks = splitIntoChunks(giant, 50);
    expect(chunks.length).toBeGreaterThan(30);
    for (const chunk of chunks) expect(countTokens(chunk)).toBeLessThanOrEqual(50);
    const wordEnds = boundaries(giant, 'word');
    for (const end of chunkEnds(giant, chunks)) expect(wordEnds.has(end)).toBe(true);
    expect(chunks.join('')).toBe(giant);
    // ICU's dictionary really segments Chinese words here (Node's full ICU): not one character a "word".
    const sample = [
      ...new Intl.Segmenter('zh', { granularity: 'word' }).segment('我们今天去北京大学学习中文'),
    ];
    expect(sample.map((s) => s.segment)).toEqual(['我们', '今天', '去', '北京', '大学', '学习', '中文']);
  });

  it('cuts a single oversized "word" by graphemes and refuses a limit below one token', () => {
    const blob = 'x'.repeat(1000);
    const chunks = splitIntoChunks(`start ${blob} end`, 20);
    for (const chunk of chunks) expect(countTokens(chunk)).toBeLessThanOrEqual(20);
    expect(squash(chunks.join(''))).toBe(`start${blob}end`);
    expect(() => splitIntoChunks('text', 0)).toThrow(RangeError);
    expect(() => splitIntoChunks('text', 1.5)).toThrow(RangeError);
    expect(splitIntoChunks('ab', 1)).toEqual(['ab']);
  });

  it('fills a chunk up to exactly the limit, and makes no chunk of blank text', () => {
    // 9 characters (3 tokens) and 8 (2 tokens): 17 characters together, 5 tokens.
    expect(splitIntoChunks('abcdefg\n\nabcdefgh', 5)).toEqual(['abcdefg\n\nabcdefgh']);
    expect(splitIntoChunks('abcdefg\n\nabcdefgh', 4)).toEqual(['abcdefg', 'abcdefgh']);
    expect(splitIntoChunks(' \n\n \t\n\n', 10)).toEqual([]);
  });
});
