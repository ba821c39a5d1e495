// The one entry point for a summary: through the configured OpenAI-compatible provider, or, with none, the
// built-in extractive summariser.

import { BUILTIN_MODEL, extractiveSummary } from './builtin-extractive.js';
import { type ChatUsage, NO_USAGE } from './chat-model.js';
import { type SummaryOutcome, type SummaryProgress, summarizeWithModel } from './map-reduce.js';
import { createOpenAiChatModel } from './openai-chat-model.js';
import type { SummaryOptions } from './options.js';

export interface LlmProvider {
  baseURL: string;
  apiKey: string;
  model: string;
}

export interface SummarizerLimits {
  /** Per HTTP request to the provider, streaming included. */
  timeoutMs: number;
  maxRetries: number;
  /** Calls in flight at once for one summary. */
  concurrency: number;
  /** The model's context window in tokens. */
  contextTokens: number;
  /** Longest Retry-After honoured; at most (and by default) 60 s. */
  maxRetryAfterMs?: number;
}

export interface SummarizeRequest {
  text: string;
  options: SummaryOptions;
  signal?: AbortSignal;
  onProgress?(progress: SummaryProgress): void;
  /** Each provider call's tokens as it ends (never called by the built-in summariser). */
  onUsage?(usage: ChatUsage): void;
}

export type { SummaryProgress };

export interface Summarizer {
  /** Recorded with each summary and part of its cache key. */
  model: string;
  summarize(request: SummarizeRequest): Promise<SummaryOutcome>;
}

/** Runs the built-in summariser: in this thread by default; the worker hands it to the extraction threads. */
export type OfflineSummarizer = (
  text: string,
  options: SummaryOptions,
  signal: AbortSignal,
) => Promise<string>;

const inThisThread: OfflineSummarizer = async (text, options) => extractiveSummary(text, options);

export function createSummarizer(
  provider: LlmProvider | null,
  limits: SummarizerLimits,
  offline: OfflineSummarizer = inThisThread,
): Summarizer {
  if (!provider)
    return {
      model: BUILTIN_MODEL,
      async summarize({ text, options, signal = new AbortController().signal, onProgress }) {
        signal.throwIfAborted();
        onProgress?.({ stage: 'reduce', done: 0, total: 1 });
        const summary = await offline(text, options, signal);
        onProgress?.({ stage: 'reduce', done: 1, total: 1 });
        return { summary, model: BUILTIN_MODEL, usage: NO_USAGE, chunks: 1, calls: 0 };
      },
    };
  const chat = createOpenAiChatModel({
    ...provider,
    timeoutMs: limits.timeoutMs,
    maxRetries: limits.maxRetries,
    maxRetryAfterMs: limits.maxRetryAfterMs,
  });
  return {
    model: chat.model,
    summarize: (request) =>
      summarizeWithModel({
        ...request,
        chat,
        contextTokens: limits.contextTokens,
        concurrency: limits.concurrency,
      }),
  };
}
