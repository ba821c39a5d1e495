// Map-reduce against the fake provider: one call when the text fits, bounded parallel map, recursive reduce,
// progress and preview, and the first failure (or an abort) stopping every call in flight.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { countTokens } from '../../src/llm/chunking.js';
import { type SummaryProgress, summarizeWithModel } from '../../src/llm/map-reduce.js';
import { createOpenAiChatModel } from '../../src/llm/openai-chat-model.js';
import type { SummaryOptions } from '../../src/llm/options.js';
import { type FakeLlm, fakeAnswerFor, startFakeLlm } from '../helpers/fake-llm.js';

const english = readFileSync(
  new URL('../fixtures/texts/thoreau-civil-disobedience.en.txt', import.meta.url),
  'utf8',
);
/** Numbered copies of the fixture: ~22 K tokens, so each chunk's first words say which copy it is. */
const longText = Array.from({ length: 20 }, (_, i) => `Copy ${i + 1}. ${english}`).join('\n\n');
const options: SummaryOptions = { length: 'medium', style: 'paragraph' };

let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const chat = (maxRetries = 0) =>
  createOpenAiChatModel({
    baseURL: fake.baseURL,
    apiKey: fake.apiKey,
    model: fake.model,
    timeoutMs: 5000,
    maxRetries,
  });

const systemOf = (i: number) => fake.requests[i]?.messages[0]?.content ?? '';
const isFinal = (i: number) => systemOf(i).includes('one summary of the whole document');
const isCombination = (i: number) => systemOf(i).startsWith('You are given summaries');
/** Tokens a request holds as map-reduce counts them (8 a message for the chat template) with its answer's. */
const requestTokens = (r: (typeof fake.requests)[number]) =>
  r.messages.reduce((n, m) => n + countTokens(m.content) + 8, 0) + (r.maxTokens ?? 0);
/** The part summaries a combination request was given ("Part 1:\n…\n\nPart 2:\n…"). */
const partsOf = (content: string) =>
  content.split(/\n\n(?=Part \d+:\n)/).map((part) => part.replace(/^Part \d+:\n/, ''));

describe('summarizeWithModel', () => {
  it('summarises a text that fits in one call, with a preview of the stream', async () => {
    fake.settings.answerWords = 40;
    fake.settings.wordsPerChunk = 1;
    fake.settings.chunkDelayMs = 5;
    const progress: SummaryProgress[] = [];
    const outcome = await summarizeWithModel({
      text: english,
      options,
      chat: chat(),
      contextTokens: 8000,
      concurrency: 4,
      previewIntervalMs: 20,
      onProgress: (p) => progress.push(p),
    });
    expect(fake.calls).toBe(1);
    expect(outcome).toMatchObject({ model: fake.model, chunks: 1, calls: 1 });
    expect(outcome.summary).toBe(fakeAnswerFor(fake.requests[0]?.messages ?? [], 40));
    // One call is the whole reduce stage, from 0 of 1, previews included.
    expect(progress[0]).toEqual({ stage: 'reduce', done: 0, total: 1 });
    expect(progress.every((p) => p.stage === 'reduce' && p.total === 1)).toBe(true);
    expect(fake.requests[0]?.messages[1]?.content).toContain(english.trim().slice(0, 200));
    expect(outcome.usage.completionTokens).toBe(40);
    const previews = progress.filter((p) => p.preview !== undefined).map((p) => p.preview ?? '');
    expect(previews.length).toBeGreaterThan(2);
    expect(previews.length).toBeLessThan(40); // throttled: not one per streamed word
    for (const [i, preview] of previews.entries()) {
      expect(outcome.summary.startsWith(preview)).toBe(true);
      if (i) expect(preview.length).toBeGreaterThan(previews[i - 1]?.length ?? 0);
    }
    expect(progress.at(-1)).toEqual({ stage: 'reduce', done: 1, total: 1 });
  });

  it('maps chunks with at most `concurrency` calls in flight, then combines them in order', async () => {
    fake.settings.latencyMs = 60;
    const progress: SummaryProgress[] = [];
    const outcome = await summarizeWithModel({
      text: longText,
      options,
      chat: chat(),
      contextTokens: 4000,
      concurrency: 3,
      onProgress: (p) => progress.push(p),
    });
    expect(outcome.chunks).toBeGreaterThan(6);
    expect(outcome.calls).toBe(outcome.chunks + 1);
    expect(fake.calls).toBe(outcome.calls);
    expect(fake.maxInFlight).toBe(3);
    // Every request fits the context with its answer, 10 % of it kept spare for the estimate's error.
    for (const r of fake.requests) expect(requestTokens(r)).toBeLessThanOrEqual(0.9 * 4000);
    const last = fake.requests.length - 1;
    expect(isFinal(last)).toBe(true);
    // The final call got each chunk's summary, in the text's order.
    const mapped = fake.requests
      .filter((_, i) => !isCombination(i))
      .map((r) => ({ part: Number(/^Part (\d+) of/.exec(r.messages[1]?.content ?? '')?.[1]), r }))
      .sort((x, y) => x.part - y.part);
    expect(mapped.map((m) => m.part)).toEqual(Array.from({ length: outcome.chunks }, (_, i) => i + 1));
    expect(fake.requests[last]?.messages[1]?.content).toBe(
      mapped.map((m, i) => `Part ${i + 1}:\n${fakeAnswerFor(m.r.messages)}`).join('\n\n'),
    );
    const map = progress.filter((p) => p.stage === 'map');
    expect(map.map((p) => p.done)).toEqual(Array.from({ length: outcome.chunks + 1 }, (_, i) => i));
    expect(map.every((p) => p.total === outcome.chunks)).toBe(true);
    expect(progress.at(-1)).toEqual({ stage: 'reduce', done: 1, total: 1 });
    expect(outcome.usage.promptTokens).toBeGreaterThan(countTokens(longText) / 2);
  });

  it('reduces recursively in groups when the chunk summaries do not fit one call', async () => {
    fake.settings.answerWords = 250; // ~375 estimated tokens a summary
    const progress: SummaryProgress[] = [];
    const outcome = await summarizeWithModel({
      text: longText,
      options,
      chat: chat(),
      contextTokens: 3000,
      concurrency: 4,
      onProgress: (p) => progress.push(p),
    });
    const indexes = fake.requests.map((_, i) => i);
    const intermediate = indexes.filter((i) => isCombination(i) && !isFinal(i));
    expect(intermediate.length).toBeGreaterThan(1);
    expect(indexes.filter(isFinal)).toEqual([fake.requests.length - 1]);
    expect(outcome.calls).toBe(outcome.chunks + intermediate.length + 1);
    for (const r of fake.requests) expect(requestTokens(r)).toBeLessThanOrEqual(0.9 * 3000);
    // Every part summary made goes into exactly one later combination (a lone last one is carried up a level
    // as it is), each combination takes at least two, and they pack as many as fit: far fewer calls than parts.
    const answers = fake.requests.slice(0, -1).map((r) => fakeAnswerFor(r.messages, 250));
    const combined = indexes
      .filter(isCombination)
      .map((i) => partsOf(fake.requests[i]?.messages[1]?.content ?? ''));
    expect(combined.every((parts) => parts.length >= 2)).toBe(true);
    expect(combined.flat().sort()).toEqual(answers.sort());
    expect(intermediate.length).toBeLessThan(outcome.chunks / 2);
    // The reduce stage's progress only moves forward, its total grows as levels are planned, never below done.
    const reduce = progress.filter((p) => p.stage === 'reduce');
    expect(progress.every((p) => p.stage === 'map' || p.stage === 'reduce')).toBe(true);
    for (const [i, p] of reduce.entries()) {
      expect(p.done).toBeLessThanOrEqual(p.total);
      if (i) expect(p.done).toBeGreaterThanOrEqual(reduce[i - 1]?.done ?? 0);
      if (i) expect(p.total).toBeGreaterThanOrEqual(reduce[i - 1]?.total ?? 0);
    }
    expect(reduce.at(-1)?.done).toBe(intermediate.length + 1);
    expect(reduce.at(-1)?.total).toBe(intermediate.length + 1);
  });

  it('loses no part summary whatever the count per level (a lone last part is carried up as it is)', async () => {
    // Chunk counts from 10 to 30 copies: some levels end with a lone part, which must reach the final call.
    for (let copies = 10; copies <= 30; copies += 1) {
      fake.reset();
      fake.settings.answerWords = 250;
      const text = Array.from({ length: copies }, (_, i) => `Copy ${i + 1}. ${english}`).join('\n\n');
      await summarizeWithModel({ text, options, chat: chat(), contextTokens: 3000, concurrency: 4 });
      const answers = fake.requests.slice(0, -1).map((r) => fakeAnswerFor(r.messages, 250));
      const combined = fake.requests
        .map((_, i) => i)
        .filter(isCombination)
        .map((i) => partsOf(fake.requests[i]?.messages[1]?.content ?? ''));
      expect(combined.flat().sort(), `${copies} copies`).toEqual(answers.sort());
    }
  }, 60_000);

  it('stops every call in flight at the first failure and rethrows it', async () => {
    fake.settings.latencyMs = 150;
    fake.script(
      { kind: 'ok', latencyMs: 3000 },
      { kind: 'ok', latencyMs: 3000 },
      { kind: 'status', status: 500 },
    );
    const started = performance.now();
    const error = await summarizeWithModel({
      text: longText,
      options,
      chat: chat(0),
      contextTokens: 4000,
      concurrency: 3,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('LLM_UNAVAILABLE');
    expect(performance.now() - started).toBeLessThan(1000);
    await fake.idle();
    expect(fake.calls).toBe(3);
    expect(fake.closedByClient).toBe(2);
  });

  it('an abort rejects promptly with its reason and closes the calls in flight', async () => {
    fake.settings.latencyMs = 2000;
    const controller = new AbortController();
    const reason = new Error('task cancelled');
    const call = summarizeWithModel({
      text: longText,
      options,
      chat: chat(),
      contextTokens: 4000,
      concurrency: 3,
      signal: controller.signal,
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.inFlight).toBe(3);
    const abortedAt = performance.now();
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(performance.now() - abortedAt).toBeLessThan(200);
    await fake.idle();
    expect(fake.closedByClient).toBe(3);
    expect(fake.calls).toBe(3);
  });

  it('needs no listeners, and makes no call once already cancelled', async () => {
    const outcome = await summarizeWithModel({
      text: longText,
      options,
      chat: chat(),
      contextTokens: 4000,
      concurrency: 4,
    });
    expect(outcome.calls).toBe(outcome.chunks + 1);
    expect(outcome.summary).toBe(fakeAnswerFor(fake.requests.at(-1)?.messages ?? []));

    fake.reset();
    const reason = new Error('task cancelled');
    const aborted = summarizeWithModel({
      text: longText,
      options,
      chat: chat(),
      contextTokens: 4000,
      concurrency: 4,
      signal: AbortSignal.abort(reason),
    });
    await expect(aborted).rejects.toBe(reason);
    expect(fake.calls).toBe(0);
  });

  it('refuses a context too small to make progress', async () => {
    await expect(
      summarizeWithModel({ text: longText, options, chat: chat(), contextTokens: 1000, concurrency: 2 }),
    ).rejects.toThrow(RangeError);
    expect(fake.calls).toBe(0);
  });
});
