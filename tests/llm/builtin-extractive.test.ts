// The offline summariser on real English, Chinese and Japanese text, the summarizer entry point, and the options.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_MODEL, EXTRACTIVE_SENTENCES, extractiveSummary } from '../../src/llm/builtin-extractive.js';
import { ZSummaryOptions } from '../../src/llm/options.js';
import { createSummarizer } from '../../src/llm/summarizer.js';
import { type FakeLlm, startFakeLlm } from '../helpers/fake-llm.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/texts/${name}`, import.meta.url), 'utf8');
const texts = {
  en: fixture('thoreau-civil-disobedience.en.txt'),
  zh: fixture('luxun-kong-yiji.zh.txt'),
  ja: fixture('soseki-wagahai.ja.txt'),
};
const bullets = (summary: string) => summary.split('\n').map((line) => line.replace(/^- /, ''));

/** Each sentence found in the text after the previous one: verbatim, in the original order. */
function expectVerbatimInOrder(text: string, sentences: string[]) {
  let from = 0;
  for (const sentence of sentences) {
    const at = text.indexOf(sentence, from);
    expect(at, sentence).toBeGreaterThanOrEqual(from);
    from = at + sentence.length;
  }
}

describe('extractiveSummary', () => {
  for (const [language, text] of Object.entries(texts))
    it(`${language}: as many sentences as the length asks, verbatim and in order, the same every time`, () => {
      for (const length of ['short', 'medium', 'long'] as const) {
        const summary = extractiveSummary(text, { length, style: 'bullets' });
        const sentences = bullets(summary);
        expect(summary.split('\n').every((line) => line.startsWith('- '))).toBe(true);
        expect(sentences).toHaveLength(EXTRACTIVE_SENTENCES[length]);
        expectVerbatimInOrder(text, sentences);
        expect(extractiveSummary(text, { length, style: 'bullets' })).toBe(summary);
      }
    });

  // Checked by reading each text: the sentences a reader would keep as the gist.
  it('English: keeps Thoreau\'s thesis, "That government is best which governs not at all"', () => {
    const summary = extractiveSummary(texts.en, { length: 'short', style: 'paragraph' });
    expect(summary).toContain('"That government is best which governs not at all"');
    expect(summary.split('. ').length).toBeGreaterThanOrEqual(3);
  });

  it('Chinese: every sentence of a short summary is about 孔乙己, joined without spaces', () => {
    const summary = extractiveSummary(texts.zh, { length: 'short', style: 'paragraph' });
    const sentences = bullets(extractiveSummary(texts.zh, { length: 'short', style: 'bullets' }));
    for (const sentence of sentences) expect(sentence).toContain('孔乙己');
    expect(summary).toBe(sentences.join(''));
  });

  it("Japanese: keeps the narrator cat's first sight of a human", () => {
    const summary = extractiveSummary(texts.ja, { length: 'short', style: 'paragraph' });
    expect(summary).toContain('吾輩はここで始めて人間というものを見た。');
  });

  it('stays bounded on a 1 MB text', () => {
    let huge = '';
    for (let i = 0; huge.length < 1_000_000; i++)
      huge += `${texts.en.replaceAll('government', `government${i % 50}`)}\n\n`;
    const started = performance.now();
    const summary = extractiveSummary(huge, { length: 'medium', style: 'bullets' });
    // ~0.7-1.1 s on the 2-core dev VM; the bound is what matters (a dense graph of 10 K sentences takes minutes).
    expect(performance.now() - started).toBeLessThan(8000);
    expect(bullets(summary)).toHaveLength(EXTRACTIVE_SENTENCES.medium);
  });

  it('cuts a "sentence" without punctuation at a word boundary', () => {
    const words = texts.en.replace(/[.?!;]/g, '').split(/\s+/);
    const summary = extractiveSummary(words.join(' '), { length: 'short', style: 'paragraph' });
    expect(summary.length).toBeLessThanOrEqual(601);
    expect(summary.endsWith('…')).toBe(true);
    expect(words.join(' ').startsWith(summary.slice(0, -1))).toBe(true);
  });
});

describe('createSummarizer', () => {
  let fake: FakeLlm;
  beforeAll(async () => {
    fake = await startFakeLlm();
  });
  afterAll(() => fake.close());
  const limits = { timeoutMs: 5000, maxRetries: 1, concurrency: 2, contextTokens: 8000 };

  it('with no provider, summarises offline as builtin-extractive and calls nothing', async () => {
    const summarizer = createSummarizer(null, limits);
    expect(summarizer.model).toBe(BUILTIN_MODEL);
    const options = { length: 'short', style: 'paragraph' } as const;
    const outcome = await summarizer.summarize({ text: texts.en, options });
    expect(outcome).toEqual({
      summary: extractiveSummary(texts.en, options),
      model: BUILTIN_MODEL,
      usage: { promptTokens: 0, completionTokens: 0 },
      chunks: 1,
      calls: 0,
    });
    const aborted = AbortSignal.abort(new Error('cancelled'));
    await expect(summarizer.summarize({ text: texts.en, options, signal: aborted })).rejects.toThrow(
      'cancelled',
    );
    expect(fake.calls).toBe(0);
  });

  it('with a provider, summarises through it and names its model', async () => {
    const summarizer = createSummarizer(
      { baseURL: fake.baseURL, apiKey: fake.apiKey, model: 'qwen-plus' },
      limits,
    );
    expect(summarizer.model).toBe('qwen-plus');
    const outcome = await summarizer.summarize({
      text: texts.zh,
      options: ZSummaryOptions.parse({ language: 'en' }),
    });
    expect(outcome).toMatchObject({ model: 'qwen-plus', chunks: 1, calls: 1 });
    expect(fake.requests[0]?.model).toBe('qwen-plus');
    expect(fake.requests[0]?.messages[0]?.content).toContain('Write in English (en)');
  });
});

describe('ZSummaryOptions', () => {
  it('defaults to a medium paragraph in the document language and takes BCP 47 tags only', () => {
    expect(ZSummaryOptions.parse({})).toEqual({ length: 'medium', style: 'paragraph' });
    expect(ZSummaryOptions.parse({ language: 'zh-CN' }).language).toBe('zh-CN');
    for (const language of ['english please', 'x', 'zh\0', 'a'.repeat(40), 'en-'])
      expect(ZSummaryOptions.safeParse({ language }).success, language).toBe(false);
  });
});
