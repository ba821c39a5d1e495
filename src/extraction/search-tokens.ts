// Words PostgreSQL's text search cannot see on its own: Chinese, Japanese and Korean write words without
// spaces, so its parser takes a whole clause ("吾輩は猫である") for one word and a word inside it is never found.
// These functions cut such text into overlapping pairs of characters (bigrams), stored beside the document's
// text and indexed with it; a query is cut the same way and its pairs must stand next to each other (a phrase),
// so "猫で" finds "吾輩は猫である" and a word whose characters occur only apart does not. Measured on real prose
// (tests/fixtures/texts/search/, 30 words inside sentences and 30 absent, in tests/documents/search.test.ts):
// recall 30/30, no false match; the rejected alternatives and their figures are in bench/README.md's findings.

/** Letters of the scripts written without spaces between words (ー and 々 are letters of these scripts too). */
const CJK_LETTER = String.raw`[[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]&&\p{L}]`;
/**
 * Runs and words are matched at most MAX_RUN characters at a time: V8's regexp engine keeps a backtracking
 * entry per character of an unbounded `+`, and a text of millions of letters with no space (one would do) threw
 * "Maximum call stack size exceeded". A longer run is cut there; it loses one bigram per cut.
 */
const MAX_RUN = 1000;
const CJK_RUN = new RegExp(`${CJK_LETTER}{1,${MAX_RUN}}`, 'gv');
const HAS_CJK = new RegExp(CJK_LETTER, 'v');
/** A word as PostgreSQL's parser sees one: letters and digits (CJK or not) written together. */
const WORD = new RegExp(String.raw`[\p{L}\p{N}]{1,${MAX_RUN}}`, 'gu');

/**
 * Tokens written in order before only new ones are added: PostgreSQL clamps positions at 16,383, so past it
 * a phrase cannot match anyway, and repeating pairs would only spend tsvector's 1 MB. Such a document gets
 * UNPOSITIONED_MARK among its tokens, and a query also matches it by its pairs in any order (searchQueryText
 * with ordered: false): a word past its first ~16,000 characters is still found, a little less precisely.
 */
const POSITIONED_TOKENS = 16_000;

/** A token only a document whose tokens passed POSITIONED_TOKENS has (letters only: the parser keeps it whole). */
export const UNPOSITIONED_MARK = 'docrpcunpositionedcjk';

/**
 * The tokens of `text` that PostgreSQL's parser would miss, space-separated, for the documents.search_tokens
 * column: each CJK run as its bigrams, a run's last character on its own (so that a one-character query, a
 * prefix match, finds it at a run's end too), and the Latin or digit part of a word written against CJK
 * ("Unicode文字" → "unicode"), which the parser would otherwise keep glued to the CJK. Empty for text without CJK.
 */
export function searchTokens(text: string): string {
  if (!HAS_CJK.test(text)) return '';
  const tokens: string[] = [];
  const seen = new Set<string>();
  const add = (token: string) => {
    if (tokens.length < POSITIONED_TOKENS) {
      tokens.push(token);
      seen.add(token);
      if (tokens.length === POSITIONED_TOKENS) tokens.push(UNPOSITIONED_MARK);
    } else if (!seen.has(token)) {
      seen.add(token);
      tokens.push(token);
    }
  };
  for (const [word] of text.matchAll(WORD)) {
    if (!HAS_CJK.test(word)) continue;
    for (const part of word.split(CJK_RUN)) if (part) add(part.toLowerCase());
    for (const [run] of word.matchAll(CJK_RUN)) {
      for (const bigram of bigramsOf(run)) add(bigram);
      if ([...run].length > 1) add(lastChar(run));
    }
  }
  return tokens.join(' ');
}

/**
 * The query rewritten for websearch_to_tsquery: each CJK run becomes its bigrams as a quoted phrase
 * (`東京都` → `"東京 京都"`), or bare bigrams when already inside the user's quotes, so they join that phrase.
 * With `ordered: false` a run outside quotes becomes bare bigrams, all required in any order (for documents
 * past their positions; a negated run stays a phrase). Latin words and websearch's own syntax (quotes, -, or)
 * pass through unchanged. One CJK character alone is matched as a prefix by the caller (see cjkPrefixes):
 * websearch syntax has no prefix operator.
 */
export function searchQueryText(
  query: string,
  { ordered }: { ordered: boolean } = { ordered: true },
): string {
  if (!HAS_CJK.test(query)) return query;
  let out = '';
  let quoted = false;
  let at = 0;
  for (const match of query.matchAll(CJK_RUN)) {
    const before = query.slice(at, match.index);
    quoted = quotesToggled(before, quoted);
    const bigrams = [...bigramsOf(match[0])].join(' ');
    // Kept against a "-" before it, so websearch's negation applies to the whole phrase.
    const negated = before.endsWith('-');
    const gap = negated ? '' : ' ';
    const phrase = ordered || negated ? `"${bigrams}"` : bigrams;
    out += `${before}${gap}${quoted ? bigrams : phrase} `;
    at = match.index + match[0].length;
  }
  return out + query.slice(at);
}

/** Whether the query has a CJK run of three characters or more: a phrase of two bigrams or more. */
export function hasCjkPhrase(query: string): boolean {
  return [...query.matchAll(CJK_RUN)].some(([run]) => [...run].length > 2);
}

/** The one-character CJK runs of a query: the service asks for them as prefixes of stored tokens. */
export function cjkPrefixes(query: string): string[] {
  return [...query.matchAll(CJK_RUN)].map(([run]) => run).filter((run) => [...run].length === 1);
}

/** The CJK runs of a query, for highlighting in a snippet (PostgreSQL's headline cannot see them). */
export function cjkRuns(query: string): string[] {
  return [...query.matchAll(CJK_RUN)].map(([run]) => run);
}

function* bigramsOf(run: string): Generator<string> {
  const chars = [...run];
  if (chars.length === 1) {
    yield run;
    return;
  }
  for (let i = 0; i + 1 < chars.length; i++) yield `${chars[i]}${chars[i + 1]}`;
}

function lastChar(run: string): string {
  return [...run].at(-1) ?? run;
}

function quotesToggled(text: string, quoted: boolean): boolean {
  let state = quoted;
  for (const char of text) if (char === '"') state = !state;
  return state;
}
