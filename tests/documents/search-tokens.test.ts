// The CJK search tokens (what a document stores beside its text) and the query rewrite (what websearch_to_tsquery
// is asked), as functions: search.test.ts proves them end to end through PostgreSQL, but there the documents'
// tokens are made in the extraction threads, and these are the exact tokens and phrases a search depends on.
import { describe, expect, it } from 'vitest';
import {
  cjkPrefixes,
  cjkRuns,
  hasCjkPhrase,
  searchQueryText,
  searchTokens,
  UNPOSITIONED_MARK,
} from '../../src/extraction/search-tokens.js';

/** Whitespace is not syntax for websearch_to_tsquery between words: compared as single spaces. */
const spaced = (text: string) => text.replace(/\s+/g, ' ').trim();

describe('searchTokens', () => {
  it('is empty for text without CJK letters (PostgreSQL’s parser sees those words itself)', () => {
    expect(searchTokens('Plain English, digits 123 and café.')).toBe('');
    expect(searchTokens('')).toBe('');
  });

  it('stores a run as its overlapping pairs, then its last character for one-character prefix queries', () => {
    expect(searchTokens('吾輩は猫である。')).toBe('吾輩 輩は は猫 猫で であ ある る');
    // A run of one character is its own token, once.
    expect(searchTokens('猫 and 犬')).toBe('猫 犬');
    // Kana and hangul alike; ー and 々 are letters of the run, not breaks.
    expect(searchTokens('コーヒー')).toBe('コー ーヒ ヒー ー');
    expect(searchTokens('人々')).toBe('人々 々');
    expect(searchTokens('한국어')).toBe('한국 국어 어');
  });

  it('pairs characters, not UTF-16 units: a Han letter beyond the BMP stays whole', () => {
    expect(searchTokens('𠮷野家')).toBe('𠮷野 野家 家');
    expect(searchTokens('野𠮷')).toBe('野𠮷 𠮷');
  });

  it('cuts the Latin or digit part off a word written against CJK, lower-cased', () => {
    expect(searchTokens('Unicode文字の例')).toBe('unicode 文字 字の の例 例');
    expect(searchTokens('第3章')).toBe('3 第 章');
    // Punctuation ends a run: no pair spans "。".
    expect(searchTokens('東京。大阪')).toBe('東京 京 大阪 阪');
  });

  it('past 16,000 tokens marks the document and adds only tokens it has not stored yet', () => {
    // Each "猫犬" is two tokens (猫犬, 犬): 8,000 of them fill the positions exactly.
    const filled = Array.from({ length: 8000 }, () => '猫犬').join(' ');
    const tokens = searchTokens(`${filled} 猫犬 鯨魚 猫犬 魚鯨`).split(' ');
    expect(tokens.slice(0, 4)).toEqual(['猫犬', '犬', '猫犬', '犬']);
    expect(tokens.indexOf(UNPOSITIONED_MARK)).toBe(16_000);
    expect(tokens.slice(16_000)).toEqual([UNPOSITIONED_MARK, '鯨魚', '魚', '魚鯨', '鯨']);
    // Within the positions a repeated pair is stored again: a phrase needs every position.
    expect(searchTokens('猫犬 猫犬')).toBe('猫犬 犬 猫犬 犬');
  });
});

describe('searchQueryText', () => {
  it('leaves a query without CJK as the user wrote it', () => {
    const query = '"exact phrase" -excluded or other';
    expect(searchQueryText(query)).toBe(query);
    expect(searchQueryText(query, { ordered: false })).toBe(query);
  });

  it('turns each CJK run into the phrase of its pairs, and a lone character into itself', () => {
    expect(spaced(searchQueryText('東京都'))).toBe('"東京 京都"');
    expect(spaced(searchQueryText('猫'))).toBe('"猫"');
    expect(spaced(searchQueryText('population 人口 growth'))).toBe('population "人口" growth');
    // The Latin part of a mixed word stays a word of its own, beside the phrase.
    expect(spaced(searchQueryText('Unicode文字'))).toBe('Unicode "文字"');
  });

  it('inside the user’s quotes gives bare pairs, so they join the quoted phrase', () => {
    expect(spaced(searchQueryText('"東京都の人口"'))).toBe('" 東京 京都 都の の人 人口 "');
    expect(spaced(searchQueryText('"big 東京" 大阪'))).toBe('"big 東京 " "大阪"');
  });

  it('keeps a negated run a phrase, against its "-"', () => {
    expect(spaced(searchQueryText('人間 -書生'))).toBe('"人間" -"書生"');
    expect(spaced(searchQueryText('人間 -書生', { ordered: false }))).toBe('人間 -"書生"');
  });

  it('unordered: the pairs of a run are required in any order (documents past their positions)', () => {
    expect(spaced(searchQueryText('邪智暴虐 or 東京', { ordered: false }))).toBe('邪智 智暴 暴虐 or 東京');
  });
});

describe('the query’s CJK runs', () => {
  it('has a phrase only from three characters on, counting characters rather than UTF-16 units', () => {
    expect(hasCjkPhrase('東京都')).toBe(true);
    // One long run among short ones is enough: a mixed query must still find documents past their positions.
    expect(hasCjkPhrase('猫 東京都 dog')).toBe(true);
    expect(hasCjkPhrase('東京 大阪 and words')).toBe(false);
    expect(hasCjkPhrase('𠮷野')).toBe(false);
  });

  it('asks for the one-character runs as prefixes and highlights every run', () => {
    expect(cjkPrefixes('猫 東京 dog 犬 𠮷')).toEqual(['猫', '犬', '𠮷']);
    expect(cjkPrefixes('東京 dog')).toEqual([]);
    expect(cjkRuns('Tokyo 東京都 and 人口, 猫')).toEqual(['東京都', '人口', '猫']);
    expect(cjkRuns('no CJK here')).toEqual([]);
  });
});
