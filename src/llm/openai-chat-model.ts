// A ChatModel over any OpenAI-compatible endpoint (OpenAI, DashScope, vLLM, Ollama) through the openai SDK,
// streamed, with the SDK's retries plus the few rules it lacks.
//
// What the SDK (openai 7.x, client.ts makeRequest/retryRequest) does, so we do not: it retries 408, 409, 429,
// 5xx, connection errors and timeouts before the response headers, up to `maxRetries` times, waiting what
// `retry-after-ms` or `Retry-After` says when that is 0-60 s, else 0.5 s doubling to 8 s with jitter; it
// obeys `x-should-retry`; its `timeout` runs only until the headers of a streamed response arrive.
// What it does not do, so we do: refuse a Retry-After longer than `maxRetryAfterMs` (the SDK would quietly
// retry sooner than asked); never retry 401/403 even if a proxy says `x-should-retry: true`; bound the streamed
// body by the same per-call timeout; retry a stream that broke off after it started, from the same budget of
// `maxRetries + 1` HTTP requests per call; reject at once with the signal's reason on abort.
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';
import { AppError } from '../errors.js';
import {
  type ChatCallOptions,
  type ChatCompletion,
  type ChatMessage,
  type ChatModel,
  type ChatUsage,
  textOf,
} from './chat-model.js';
import { countTokens } from './chunking.js';
import { type CallRecord, StreamCutError, toProviderError } from './provider-errors.js';
import { backoffMs, retryAfterMs } from './retry-after.js';

export interface OpenAiChatModelConfig {
  baseURL: string;
  /** Empty for a local server that wants none (Ollama, vLLM without --api-key). */
  apiKey: string;
  model: string;
  /** Per HTTP request, from sending it to the last streamed token. */
  timeoutMs: number;
  /** Retries after the first request of a call. */
  maxRetries: number;
  /** Longest Retry-After honoured (default and most 60 s, the SDK's own ceiling); longer → LLM_UNAVAILABLE now. */
  maxRetryAfterMs?: number;
}

const SDK_RETRY_AFTER_CEILING_MS = 60_000;

/**
 * A provider that ignores max_tokens would stream on without end into memory and the task row's preview:
 * an answer is cut off past this many characters per token asked for (real tokens are 1-5 characters).
 */
const MAX_CHARS_PER_TOKEN = 16;

export function createOpenAiChatModel(config: OpenAiChatModelConfig): ChatModel {
  const maxRetryAfterMs = Math.min(
    config.maxRetryAfterMs ?? SDK_RETRY_AFTER_CEILING_MS,
    SDK_RETRY_AFTER_CEILING_MS,
  );
  return {
    model: config.model,
    complete(messages, options) {
      options.signal?.throwIfAborted();
      const work = completeWithRetries(messages, options, { ...config, maxRetryAfterMs });
      return options.signal ? rejectOnAbort(work, options.signal) : work;
    },
  };
}

/** The call's own promise, or the signal's reason the moment it aborts (the request closes behind it). */
function rejectOnAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

type Config = OpenAiChatModelConfig & { maxRetryAfterMs: number };

interface Attempt {
  controller: AbortController;
  deadline?: NodeJS.Timeout;
}

async function completeWithRetries(
  messages: ChatMessage[],
  options: ChatCallOptions,
  config: Config,
): Promise<ChatCompletion> {
  const record: CallRecord = { httpAttempts: 0, streaming: false, bodyTimedOut: false };
  const attempt: Attempt = { controller: new AbortController() };
  const client = new OpenAI({
    baseURL: config.baseURL,
    // The SDK refuses to start without a key; a local server ignores this one.
    apiKey: config.apiKey || 'no-key',
    timeout: config.timeoutMs,
    maxRetries: config.maxRetries,
    fetch: guardedFetch(record, attempt, config),
  });
  for (let streamRetries = 0; ; streamRetries++) {
    attempt.controller = new AbortController();
    const stop = () => attempt.controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', stop, { once: true });
    Object.assign(record, { streaming: false, bodyTimedOut: false, refusedRetryAfterMs: undefined });
    try {
      return await streamOnce(client, messages, options, config, attempt.controller.signal, record);
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      // Our own verdict on an answer (too long): asking again would get the same.
      if (error instanceof AppError) throw error;
      if (record.streaming && record.httpAttempts <= config.maxRetries) {
        options.onRestart?.();
        await sleep(backoffMs(streamRetries), undefined, { signal: options.signal });
        continue;
      }
      throw toProviderError(error, record, config);
    } finally {
      clearTimeout(attempt.deadline);
      options.signal?.removeEventListener('abort', stop);
    }
  }
}

async function streamOnce(
  client: OpenAI,
  messages: ChatMessage[],
  options: ChatCallOptions,
  config: Config,
  signal: AbortSignal,
  record: CallRecord,
): Promise<ChatCompletion> {
  const stream = await client.chat.completions.create(
    {
      model: config.model,
      messages,
      stream: true,
      stream_options: { include_usage: true },
      // max_tokens rather than max_completion_tokens: every compatible server (DashScope, vLLM, Ollama) reads it.
      max_tokens: options.maxTokens,
    },
    // What is left of the call's budget: a broken stream's retry has used some of it.
    { signal, maxRetries: Math.max(0, config.maxRetries + 1 - record.httpAttempts - 1) },
  );
  let text = '';
  let finished = false;
  const maxChars = options.maxTokens * MAX_CHARS_PER_TOKEN;
  let usage: ChatUsage | undefined;
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    // NUL is no character a text column can hold: it would fail the insert of a summary or a document.
    const delta = choice?.delta?.content?.replaceAll('\0', '');
    if (delta) {
      text += delta;
      if (text.length > maxChars) {
        throw new AppError(
          'LLM_UNAVAILABLE',
          `The model's answer ran past the ${options.maxTokens} tokens asked for (it ignored max_tokens)`,
        );
      }
      options.onDelta?.(delta);
    }
    if (choice?.finish_reason) finished = true;
    if (chunk.usage)
      usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
  }
  if (!finished) throw new StreamCutError('the stream ended before the answer was complete');
  // Some servers (older vLLM and Ollama builds) ignore stream_options and send no usage: then the tokens are
  // our estimate (chunking.ts), plus a few per message for the chat template and a flat figure per image,
  // so usage is never zero.
  usage ??= {
    promptTokens: messages.reduce(
      (sum, m) => sum + countTokens(textOf(m)) + imagesIn(m) * IMAGE_TOKENS + 4,
      0,
    ),
    completionTokens: countTokens(text),
  };
  return { text, usage };
}

/** OpenAI bills a detailed 1024 px image at 765 tokens; other providers are in that range. An estimate only. */
const IMAGE_TOKENS = 765;

const imagesIn = (message: ChatMessage) =>
  typeof message.content === 'string'
    ? 0
    : message.content.filter((part) => part.type === 'image_url').length;

/** A copy of `response` with one header set (a fetch Response's own headers are immutable). */
function withHeader(response: Response, name: string, value: string): Response {
  const headers = new Headers(response.headers);
  headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * The fetch the SDK calls for every HTTP request of one call: it counts them, vetoes retries the SDK would
 * make against our rules, and arms the body deadline once a response starts streaming.
 */
function guardedFetch(record: CallRecord, attempt: Attempt, config: Config): typeof fetch {
  return async (input, init) => {
    record.httpAttempts++;
    const startedAt = Date.now();
    const response = await fetch(input, init);
    if (response.ok) {
      record.streaming = true;
      clearTimeout(attempt.deadline);
      attempt.deadline = setTimeout(
        () => {
          record.bodyTimedOut = true;
          attempt.controller.abort();
        },
        Math.max(0, config.timeoutMs - (Date.now() - startedAt)),
      );
      return response;
    }
    if (response.status === 401 || response.status === 403)
      return withHeader(response, 'x-should-retry', 'false');
    const wait = retryAfterMs(response.headers);
    if (wait !== undefined && wait > config.maxRetryAfterMs) {
      record.refusedRetryAfterMs = wait;
      return withHeader(response, 'x-should-retry', 'false');
    }
    return response;
  };
}
