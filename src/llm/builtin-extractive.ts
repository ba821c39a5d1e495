// The offline summariser: TextRank-style sentence ranking (LexRank's idf-weighted cosine similarity) over
// Intl.Segmenter sentences and words, so English, Chinese and Japanese work alike; no model, no network.
import type { SummaryOptions } from './options.js';
import { sentenceSegmenter, wordSegmenter } from './segmenters.js';

export const BUILTIN_MODEL = 'builtin-extractive';

/** Sentences a summary keeps, by requested length. */
export const EXTRACTIVE_SENTENCES: Record<SummaryOptions['length'], number> = {
  short: 3,
  medium: 6,
  long: 12,
};

// Bounds on the cost of a huge text: the graph ranks at most MAX_RANKED sentences (evenly spaced through the
// text beyond that), and a word found in more than MAX_WORD_SHARE of them links nothing (it tells sentences
// apart no more than "the" does, and its pairs would make the graph dense). Measured on the 2-core dev VM:
// 1 MB of English (the Thoreau fixture repeated: every sentence recurs, the densest graph) 0.7-1.1 s, 1 MB of
// Chinese (孔乙己 repeated) 0.76 s; with 2,000 ranked sentences the English took 1.8 s.
const MAX_RANKED = 1000;
const MAX_WORD_SHARE = 0.1;
const MIN_WORD_SENTENCES = 20;
// A "sentence" longer than this is a list, a table or text without punctuation: cut at a word boundary.
const MAX_SENTENCE_CHARS = 600;
const DAMPING = 0.85;
const ITERATIONS = 30;

interface Sentence {
  text: string;
  /** Lower-cased word-like segments, with their counts. */
  words: Map<string, number>;
}

function sentenceTexts(text: string): string[] {
  const result: string[] = [];
  for (const { segment } of sentenceSegmenter.segment(text)) {
    const sentence = segment.trim();
    if (sentence) result.push(sentence);
  }
  return result;
}

function wordsOf(sentence: string): Map<string, number> {
  const words = new Map<string, number>();
  for (const w of wordSegmenter.segment(sentence))
    if (w.isWordLike) {
      const word = w.segment.toLowerCase();
      words.set(word, (words.get(word) ?? 0) + 1);
    }
  return words;
}

function evenlySpaced<T>(items: T[], most: number): number[] {
  if (items.length <= most) return items.map((_, i) => i);
  return Array.from({ length: most }, (_, k) => Math.floor((k * items.length) / most));
}

/** PageRank scores over the idf-weighted cosine similarity of the sentences; edges only where words are shared. */
function rank(sentences: Sentence[]): number[] {
  const n = sentences.length;
  const postings = new Map<string, number[]>();
  sentences.forEach((s, i) => {
    for (const word of s.words.keys()) {
      const list = postings.get(word);
      if (list) list.push(i);
      else postings.set(word, [i]);
    }
  });
  const idf = new Map<string, number>();
  for (const [word, list] of postings) idf.set(word, Math.log(n / list.length) + 1e-9);
  const norms = sentences.map((s) => {
    let sum = 0;
    for (const [word, count] of s.words) sum += (count * (idf.get(word) ?? 0)) ** 2;
    return Math.sqrt(sum) || 1;
  });
  // Sparse similarity: dot products accumulated word by word over the sentences that share it.
  const edges: Map<number, number>[] = sentences.map(() => new Map());
  const widest = Math.max(MIN_WORD_SENTENCES, Math.floor(n * MAX_WORD_SHARE));
  for (const [word, list] of postings) {
    if (list.length < 2 || list.length > widest) continue;
    const weight = (idf.get(word) ?? 0) ** 2;
    for (let a = 0; a < list.length; a++)
      for (let b = a + 1; b < list.length; b++) {
        const i = list[a] as number;
        const j = list[b] as number;
        const add = weight * (sentences[i]?.words.get(word) ?? 0) * (sentences[j]?.words.get(word) ?? 0);
        const edgesOfI = edges[i] as Map<number, number>;
        edgesOfI.set(j, (edgesOfI.get(j) ?? 0) + add);
      }
  }
  const neighbours: [number, number][][] = sentences.map(() => []);
  edges.forEach((row, i) => {
    for (const [j, dot] of row) {
      const similarity = dot / ((norms[i] as number) * (norms[j] as number));
      neighbours[i]?.push([j, similarity]);
      neighbours[j]?.push([i, similarity]);
    }
  });
  const outWeight = neighbours.map((list) => list.reduce((sum, [, w]) => sum + w, 0));
  let scores = new Array<number>(n).fill(1 / n);
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    const next = new Array<number>(n).fill((1 - DAMPING) / n);
    neighbours.forEach((list, i) => {
      const out = outWeight[i] as number;
      if (!out) return;
      const share = (DAMPING * (scores[i] as number)) / out;
      for (const [j, w] of list) next[j] = (next[j] as number) + share * w;
    });
    scores = next;
  }
  return scores;
}

function bounded(sentence: string): string {
  if (sentence.length <= MAX_SENTENCE_CHARS) return sentence;
  let cut = '';
  for (const { segment } of wordSegmenter.segment(sentence)) {
    if (cut.length + segment.length > MAX_SENTENCE_CHARS) break;
    cut += segment;
  }
  return `${(cut || sentence.slice(0, MAX_SENTENCE_CHARS)).trimEnd()}…`;
}

// Sentences ending in CJK punctuation are joined without a space, as the text itself would be.
const CJK_END =
  /[\u3000-\u303f\uff00-\uffef\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]["'”’」』）)]*$/u;

/**
 * The most central sentences of `text`, as many as `options.length` asks, verbatim and in their original
 * order; `options.style` 'bullets' renders them as "- " lines. Deterministic. `options.language` cannot be
 * honoured without a model: the summary is in the document's language.
 */
export function extractiveSummary(text: string, options: SummaryOptions): string {
  const all = sentenceTexts(text);
  // A heading number or a stray "*" has no words: it is no sentence to summarise with.
  const candidates = evenlySpaced(all, MAX_RANKED)
    .map((index) => ({ index, text: all[index] as string, words: wordsOf(all[index] as string) }))
    .filter((s) => s.words.size > 0);
  const scores = rank(candidates);
  const chosen = candidates
    .map(({ index, text }, k) => ({ index, text, score: scores[k] as number }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, EXTRACTIVE_SENTENCES[options.length])
    .sort((a, b) => a.index - b.index)
    .map((s) => bounded(s.text));
  if (options.style === 'bullets') return chosen.map((s) => `- ${s}`).join('\n');
  return chosen.reduce((out, s) => (out === '' ? s : `${out}${CJK_END.test(out) ? '' : ' '}${s}`), '');
}
