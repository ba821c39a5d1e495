// A summary through a chat model: one call when the text fits the context, else map (chunk summaries, in
// parallel, bounded) and reduce (combine them, recursively in groups when they do not fit one call).
import { mapBounded } from './bounded-map.js';
import {
  addUsage,
  type ChatCallOptions,
  type ChatMessage,
  type ChatModel,
  type ChatUsage,
  NO_USAGE,
  textOf,
} from './chat-model.js';
import { countTokens, splitIntoChunks } from './chunking.js';
import type { SummaryOptions } from './options.js';
import { chunkPrompt, combinePrompt, FINAL_MAX_TOKENS, PART_MAX_TOKENS, wholeTextPrompt } from './prompts.js';

export interface SummaryProgress {
  /** 'map' while chunks are summarised; 'reduce' for combining, and for the single call of a text that fits. */
  stage: 'map' | 'reduce';
  done: number;
  /** For 'reduce', the calls planned so far: it grows when a level of combinations needs another. */
  total: number;
  /** The streamed text so far of the final (or single) call, reported at most every `previewIntervalMs`. */
  preview?: string;
}

export interface SummaryOutcome {
  summary: string;
  model: string;
  usage: ChatUsage;
  /** Chunks the text was split into (1 when it fit one call). */
  chunks: number;
  /** Calls made to the model, map and reduce together. */
  calls: number;
}

export interface SummarizeWithModelInput {
  text: string;
  options: SummaryOptions;
  chat: ChatModel;
  /** The model's context window in tokens (prompt and answer together). */
  contextTokens: number;
  /** Most calls in flight at once. */
  concurrency: number;
  signal?: AbortSignal;
  onProgress?(progress: SummaryProgress): void;
  /** Each call's tokens as it ends, so work spent before a failure or a cancel is still counted. */
  onUsage?(usage: ChatUsage): void;
  /** Default 250 ms: a fast stream must not turn into a write per token. */
  previewIntervalMs?: number;
}

// Kept free of the context: the token count is an estimate (chunking.ts) and chat templates add a few tokens.
const SPARE = 0.1;
const MESSAGE_OVERHEAD = 8;

const promptTokens = (messages: ChatMessage[]) =>
  messages.reduce((sum, m) => sum + countTokens(textOf(m)) + MESSAGE_OVERHEAD, 0);

export async function summarizeWithModel(input: SummarizeWithModelInput): Promise<SummaryOutcome> {
  const { text, options, chat, contextTokens, onProgress } = input;
  const room = (answerTokens: number) => Math.floor(contextTokens * (1 - SPARE)) - answerTokens;
  const fits = (messages: ChatMessage[], answerTokens: number) =>
    promptTokens(messages) <= room(answerTokens);
  const finalTokens = FINAL_MAX_TOKENS[options.length];
  const chunkTokens = room(PART_MAX_TOKENS) - promptTokens(chunkPrompt('', 9999, 9999, options));
  // Reduce makes progress only if two part summaries (our estimate runs up to 25 % above a provider's count)
  // fit one combination, and the final answer must fit beside its instructions.
  const needed =
    Math.ceil(2 * 1.25 * PART_MAX_TOKENS) + promptTokens(combinePrompt(['', ''], options, false));
  if (chunkTokens < needed || room(finalTokens) < needed)
    throw new RangeError(`contextTokens ${contextTokens} is too small for a ${options.length} summary`);

  // One controller for every call: the first failure (or the caller's abort) stops all calls in flight.
  const controller = new AbortController();
  const stop = () => controller.abort(input.signal?.reason);
  if (input.signal?.aborted) stop();
  input.signal?.addEventListener('abort', stop, { once: true });
  let usage: ChatUsage = NO_USAGE;
  let calls = 0;
  const call = async (
    messages: ChatMessage[],
    maxTokens: number,
    stream?: Pick<ChatCallOptions, 'onDelta' | 'onRestart'>,
  ) => {
    calls++;
    const answer = await chat.complete(messages, { signal: controller.signal, maxTokens, ...stream });
    usage = addUsage(usage, answer.usage);
    input.onUsage?.(answer.usage);
    return answer.text.trim();
  };
  const finalCall = async (messages: ChatMessage[], done: number, total: number) => {
    let streamed = '';
    let reportedAt = 0;
    const interval = input.previewIntervalMs ?? 250;
    const summary = await call(messages, finalTokens, {
      onDelta(delta) {
        streamed += delta;
        const now = performance.now();
        if (now - reportedAt < interval) return;
        reportedAt = now;
        onProgress?.({ stage: 'reduce', done, total, preview: streamed });
      },
      onRestart() {
        streamed = '';
      },
    });
    onProgress?.({ stage: 'reduce', done: done + 1, total });
    return summary;
  };

  try {
    const whole = wholeTextPrompt(text, options);
    if (fits(whole, finalTokens)) {
      onProgress?.({ stage: 'reduce', done: 0, total: 1 });
      const summary = await finalCall(whole, 0, 1);
      return { summary, model: chat.model, usage, chunks: 1, calls };
    }

    const chunks = splitIntoChunks(text, chunkTokens);
    let mapped = 0;
    onProgress?.({ stage: 'map', done: 0, total: chunks.length });
    let parts = await mapBounded(chunks, input.concurrency, controller, async (chunk, i) => {
      const part = await call(chunkPrompt(chunk, i, chunks.length, options), PART_MAX_TOKENS);
      onProgress?.({ stage: 'map', done: ++mapped, total: chunks.length });
      return part;
    });

    let reduced = 0;
    for (;;) {
      const final = combinePrompt(parts, options, true);
      if (fits(final, finalTokens)) {
        onProgress?.({ stage: 'reduce', done: reduced, total: reduced + 1 });
        const summary = await finalCall(final, reduced, reduced + 1);
        return { summary, model: chat.model, usage, chunks: chunks.length, calls };
      }
      const { groups, carried } = groupParts(parts, (group) =>
        fits(combinePrompt(group, options, false), PART_MAX_TOKENS),
      );
      if (!groups.length) throw new Error('a part summary alone does not fit the context'); // see `needed`
      const total = reduced + groups.length + 1;
      onProgress?.({ stage: 'reduce', done: reduced, total });
      const combined = await mapBounded(groups, input.concurrency, controller, async (group) => {
        const part = await call(combinePrompt(group, options, false), PART_MAX_TOKENS);
        onProgress?.({ stage: 'reduce', done: ++reduced, total });
        return part;
      });
      parts = carried === undefined ? combined : [...combined, carried];
    }
  } finally {
    input.signal?.removeEventListener('abort', stop);
  }
}

/**
 * Consecutive parts packed into groups that fit one call, at least two a group so that every level shrinks;
 * a lone last part is carried to the next level as it is rather than "combined" on its own.
 */
function groupParts(parts: string[], fitsOneCall: (group: string[]) => boolean) {
  const groups: string[][] = [];
  let group: string[] = [];
  for (const part of parts) {
    if (group.length >= 2 && !fitsOneCall([...group, part])) {
      groups.push(group);
      group = [];
    }
    group.push(part);
  }
  if (group.length >= 2) groups.push(group);
  return { groups, carried: group.length === 1 ? group[0] : undefined };
}
