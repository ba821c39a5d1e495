// Provider faults through the real openai SDK against the fake server: retries, Retry-After, key errors,
// timeouts, a stream cut mid-way, and aborts that close the HTTP request.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { type ChatMessage, textOf } from '../../src/llm/chat-model.js';
import { countTokens } from '../../src/llm/chunking.js';
import { createOpenAiChatModel, type OpenAiChatModelConfig } from '../../src/llm/openai-chat-model.js';
import { type FakeLlm, fakeAnswerFor, startFakeLlm } from '../helpers/fake-llm.js';

let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const messages: ChatMessage[] = [
  { role: 'system', content: 'You summarise documents.' },
  { role: 'user', content: 'The quick brown fox jumps over the lazy dog again and again.' },
];
const expected = fakeAnswerFor(messages);
const model = (overrides: Partial<OpenAiChatModelConfig> = {}) =>
  createOpenAiChatModel({
    baseURL: fake.baseURL,
    apiKey: fake.apiKey,
    model: fake.model,
    timeoutMs: 5000,
    maxRetries: 2,
    ...overrides,
  });

/** The AppError a call rejected with, checked to carry no trace of the key. */
async function failure(call: Promise<unknown>): Promise<AppError> {
  const error = await call.then(
    () => expect.fail('the call succeeded'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect(String((error as AppError).message)).not.toContain(fake.apiKey);
  return error as AppError;
}

describe('a streamed call', () => {
  it('returns the text and the usage the server reported, sending model, key and max_tokens', async () => {
    const deltas: string[] = [];
    const answer = await model().complete(messages, { maxTokens: 77, onDelta: (d) => deltas.push(d) });
    expect(answer.text).toBe(expected);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(expected);
    expect(answer.usage).toEqual({ promptTokens: 15, completionTokens: expected.split(' ').length });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ model: fake.model, stream: true, maxTokens: 77, messages });
  });

  it('estimates the usage when the server sends none', async () => {
    fake.settings.usage = false;
    const answer = await model().complete(messages, { maxTokens: 50 });
    expect(answer.usage.completionTokens).toBe(countTokens(expected));
    expect(answer.usage.promptTokens).toBeGreaterThan(
      countTokens(textOf(messages[1] ?? { role: 'user', content: '' })),
    );
  });
});

describe('answers a text column cannot hold, or without end', () => {
  it('drops NUL characters from the answer (a summary or document row could not hold them)', async () => {
    fake.script({ kind: 'ok', text: 'bad \u0000 answer with \u0000 NULs' });
    const deltas: string[] = [];
    const answer = await model().complete(messages, { maxTokens: 50, onDelta: (d) => deltas.push(d) });
    expect(answer.text).toBe('bad  answer with  NULs');
    expect(deltas.join('')).not.toContain('\0');
  });

  it('cuts off a provider that ignores max_tokens with LLM_UNAVAILABLE, not retried', async () => {
    fake.script({ kind: 'ok', text: 'on and on '.repeat(200) });
    const error = await failure(model().complete(messages, { maxTokens: 10 }));
    expect(error.code).toBe('LLM_UNAVAILABLE');
    expect(error.message).toMatch(/ignored max_tokens/);
    expect(fake.calls).toBe(1);
  });
});

describe('retries', () => {
  it('honours Retry-After (seconds) on a 429, then succeeds', async () => {
    fake.script({ kind: 'status', status: 429, retryAfterSeconds: 1 });
    const started = performance.now();
    const answer = await model().complete(messages, { maxTokens: 50 });
    const waited = performance.now() - started;
    expect(answer.text).toBe(expected);
    expect(fake.calls).toBe(2);
    expect(waited).toBeGreaterThanOrEqual(990);
    expect(waited).toBeLessThan(2500);
  });

  it('honours retry-after-ms on a 503', async () => {
    fake.script({ kind: 'status', status: 503, retryAfterMs: 300 });
    const started = performance.now();
    await model().complete(messages, { maxTokens: 50 });
    const waited = performance.now() - started;
    expect(fake.calls).toBe(2);
    expect(waited).toBeGreaterThanOrEqual(295);
    expect(waited).toBeLessThan(1500);
  });

  it('gives up on 500s after maxRetries with LLM_UNAVAILABLE naming the answer', async () => {
    fake.script(...Array.from({ length: 5 }, () => ({ kind: 'status' as const, status: 500 })));
    const error = await failure(model({ maxRetries: 2 }).complete(messages, { maxTokens: 50 }));
    expect(error.code).toBe('LLM_UNAVAILABLE');
    expect(error.message).toContain('500');
    expect(error.message).toContain('3 attempts');
    expect(fake.calls).toBe(3);
    await fake.idle();
  });

  it('refuses a Retry-After longer than the cap at once, without waiting', async () => {
    fake.script({ kind: 'status', status: 429, retryAfterSeconds: 3600 });
    const started = performance.now();
    const error = await failure(model({ maxRetryAfterMs: 5000 }).complete(messages, { maxTokens: 50 }));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.code).toBe('LLM_UNAVAILABLE');
    expect(error.details?.retryAfterSeconds).toBe(3600);
    expect(error.message).toContain('3600 s');
    expect(fake.calls).toBe(1);
  });

  it('retries a stream cut mid-way and voids what it had streamed', async () => {
    fake.settings.answerWords = 30;
    fake.script({ kind: 'cut', afterChunks: 2 });
    let streamed = '';
    const voided: string[] = [];
    const answer = await model().complete(messages, {
      maxTokens: 50,
      onDelta: (d) => {
        streamed += d;
      },
      onRestart: () => {
        voided.push(streamed);
        streamed = '';
      },
    });
    expect(answer.text).toBe(fakeAnswerFor(messages, 30));
    expect(streamed).toBe(answer.text);
    expect(voided).toHaveLength(1);
    expect(voided[0]?.length).toBeGreaterThan(0);
    expect(answer.text.startsWith(voided[0] ?? '-')).toBe(true);
    expect(fake.calls).toBe(2);
  });
});

describe('the key', () => {
  it('a refused key is API_KEY_INVALID after exactly one call', async () => {
    const error = await failure(model({ apiKey: 'sk-wrong-key-9876' }).complete(messages, { maxTokens: 50 }));
    expect(error.code).toBe('API_KEY_INVALID');
    expect(error.message).not.toContain('sk-wrong-key-9876');
    expect(fake.calls).toBe(1);
  });

  it('a 403 is API_KEY_INVALID too, not retried', async () => {
    fake.script({ kind: 'status', status: 403 });
    const error = await failure(model().complete(messages, { maxTokens: 50 }));
    expect(error.code).toBe('API_KEY_INVALID');
    expect(fake.calls).toBe(1);
  });
});

describe('timeouts', () => {
  it('a server that never sends headers times out per call, retried, then LLM_UNAVAILABLE', async () => {
    fake.settings.latencyMs = 10_000;
    const started = performance.now();
    const error = await failure(
      model({ timeoutMs: 300, maxRetries: 1 }).complete(messages, { maxTokens: 50 }),
    );
    expect(error.code).toBe('LLM_UNAVAILABLE');
    expect(error.message).toContain('did not answer within 300 ms');
    expect(fake.calls).toBe(2);
    expect(performance.now() - started).toBeLessThan(3000);
    await fake.idle();
    expect(fake.closedByClient).toBe(2);
  });

  it('a stream that stalls after its headers times out too (the SDK does not bound the body)', async () => {
    fake.script({ kind: 'hang' }, { kind: 'hang' });
    const error = await failure(
      model({ timeoutMs: 300, maxRetries: 1 }).complete(messages, { maxTokens: 50 }),
    );
    expect(error.code).toBe('LLM_UNAVAILABLE');
    expect(error.message).toContain('did not finish its answer within 300 ms (2 attempts)');
    await fake.idle();
    expect(fake.closedByClient).toBe(2);
  });
});

describe('abort', () => {
  it('mid-stream rejects with the reason at once and closes the request', async () => {
    fake.settings.answerWords = 60;
    fake.settings.chunkDelayMs = 200;
    const controller = new AbortController();
    const reason = new Error('cancelled by the user');
    let abortedAt = 0;
    const call = model().complete(messages, {
      maxTokens: 100,
      signal: controller.signal,
      onDelta: () => {
        if (abortedAt) return;
        abortedAt = performance.now();
        controller.abort(reason);
      },
    });
    await expect(call).rejects.toBe(reason);
    expect(performance.now() - abortedAt).toBeLessThan(100);
    await fake.idle();
    expect(fake.closedByClient).toBe(1);
    expect(fake.calls).toBe(1);
  });

  it('during a Retry-After wait rejects at once, with no further request', async () => {
    fake.script({ kind: 'status', status: 429, retryAfterSeconds: 5 });
    const controller = new AbortController();
    const call = model().complete(messages, { maxTokens: 50, signal: controller.signal });
    await new Promise((r) => setTimeout(r, 200));
    const abortedAt = performance.now();
    controller.abort(new Error('stop'));
    await expect(call).rejects.toThrow('stop');
    expect(performance.now() - abortedAt).toBeLessThan(100);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.calls).toBe(1);
  });
});
