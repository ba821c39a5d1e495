// document.summarize: a document's text becomes a summary, written by the user's provider, the server's, or
// the built-in offline summariser. The same text, options and model are summarised once per document (the
// cache key); tokens spent are counted for the user even when the run fails or is cancelled part-way.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { FOREIGN_KEY_VIOLATION, postgresError } from '../../db/errors.js';
import { AppError } from '../../errors.js';
import { ZSummaryOptions } from '../../llm/options.js';
import { PROMPT_VERSION } from '../../llm/prompts.js';
import { createSummarizer, type SummaryProgress } from '../../llm/summarizer.js';
import { enforceRateLimits } from '../../rate-limit/rate-limit.js';
import { ZText } from '../../schemas/common.js';
import { defineTask, type TaskRunContext } from '../define-task.js';
import { latestWins } from '../latest-wins.js';
import { assertModelAvailable, type ChosenProvider, chooseProvider } from '../llm-provider.js';
import {
  findCachedSummary,
  findEarlierTwin,
  findSummarySource,
  insertSummary,
  recordUsage,
  type TokenUsage,
} from '../summary-rows.js';

export const ZSummarizeInput = ZSummaryOptions.extend({
  documentId: z.uuid(),
  /** A model of the provider in use; `builtin-extractive` asks for the offline summariser. */
  model: ZText.trim().min(1).max(100).optional(),
});
export type SummarizeInput = z.infer<typeof ZSummarizeInput>;

export interface SummarizeResult {
  summaryId: string;
  /** True when this request had been answered before: the stored summary, no provider call. */
  cached: boolean;
  model: string;
}

/** How much of the streamed answer the task's progress message shows. */
const PREVIEW_CHARS = 280;

export const documentSummarizeTask = defineTask('document.summarize', {
  input: ZSummarizeInput,
  // A summary of hundreds of chunks at a few calls at a time may take a while.
  expireInSeconds: 60 * 60,
  // The provider's faults were retried call by call already; a rejected key or a model that does not
  // exist answers the same on the next attempt.
  finalCodes: ['RESOURCE_NOT_FOUND', 'VALIDATION_ERROR', 'API_KEY_INVALID', 'LLM_UNAVAILABLE'],
  /**
   * Every run asked for counts against the owner's LLM rate limit, a retry as much as a new request (also
   * one the cache will answer: the count is taken before the run knows). A model named with no provider
   * configured anywhere is refused before a job exists.
   */
  async admit({ db, llm }, ownerId, input) {
    await assertModelAvailable(db, llm, ownerId, input.model);
    await enforceRateLimits(db, [
      { key: `llm:user:${ownerId}`, limit: llm.rateLimit, windowSeconds: llm.rateLimitWindowSeconds },
    ]);
  },
  async run({ input, taskId, ownerId, deps, progress, signal }): Promise<SummarizeResult> {
    const source = await findSummarySource(deps.db, ownerId, input.documentId);
    if (!source) throw new AppError('RESOURCE_NOT_FOUND', 'No such document');
    const provider = await chooseProvider(deps.db, deps.llm, deps.sealKey, ownerId, input.model);
    const { documentId, model: _, ...options } = input;
    const cacheKey = summaryCacheKey(source.text, options, provider);
    const cached = await findCachedSummary(deps.db, documentId, cacheKey);
    if (cached) return { summaryId: cached.id, cached: true, model: cached.model };
    // The same request made twice at once (a double click) calls the provider once: the later task waits for
    // the earlier one, then finds its summary (or, when that one failed, makes it after all).
    if (await waitForEarlierTwin(deps.db, taskId, ownerId, progress, signal)) {
      const made = await findCachedSummary(deps.db, documentId, cacheKey);
      if (made) return { summaryId: made.id, cached: true, model: made.model };
    }

    await progress(0, 'starting');
    const started = performance.now();
    const spent: TokenUsage = { promptTokens: 0, completionTokens: 0, calls: 0 };
    const reporter = latestWins((update: SummaryProgress) => progress(...describe(update)));
    const summarizer = createSummarizer(
      provider.endpoint && { ...provider.endpoint, model: provider.model },
      deps.llm,
      deps.extraction.extractiveSummary,
    );
    try {
      const outcome = await summarizer
        .summarize({
          text: source.text,
          options,
          signal,
          onProgress: reporter.report,
          onUsage(usage) {
            spent.promptTokens += usage.promptTokens;
            spent.completionTokens += usage.completionTokens;
            spent.calls += 1;
          },
        })
        .finally(reporter.settled);
      const summaryId = await insertSummary(deps.db, {
        ownerId,
        documentId,
        cacheKey,
        model: outcome.model,
        length: options.length,
        style: options.style,
        language: options.language ?? null,
        text: outcome.summary,
        promptTokens: outcome.usage.promptTokens,
        completionTokens: outcome.usage.completionTokens,
        chunks: outcome.chunks,
        calls: outcome.calls,
        durationMs: Math.round(performance.now() - started),
      }).catch(documentGoneAsNotFound);
      if (summaryId) return { summaryId, cached: false, model: outcome.model };
      const raced = await findCachedSummary(deps.db, documentId, cacheKey);
      if (!raced) throw new Error('summary insert conflicted but no summary was found');
      return { summaryId: raced.id, cached: true, model: raced.model };
    } finally {
      // A failure to count must not replace the run's own outcome (its error, or its summary).
      await recordUsage(deps.db, ownerId, provider.model, spent).catch((error: unknown) =>
        deps.logger.error({ err: error, ownerId }, 'recording LLM token usage failed'),
      );
    }
  },
});

/**
 * Everything that changes the answer: the text (hashed), the options, the model and where it runs (one
 * model name may mean different models at two endpoints), and the prompts' version.
 */
function summaryCacheKey(
  text: string,
  options: Omit<SummarizeInput, 'documentId' | 'model'>,
  provider: ChosenProvider,
): string {
  const textHash = createHash('sha256').update(text).digest('hex');
  const key = {
    prompts: PROMPT_VERSION,
    text: textHash,
    length: options.length,
    style: options.style,
    language: options.language ?? null,
    model: provider.model,
    // The whole base URL: two gateways on one host under different paths may serve different models.
    endpoint: provider.endpoint ? provider.endpoint.baseURL.replace(/\/+$/, '') : null,
  };
  return createHash('sha256').update(JSON.stringify(key)).digest('hex');
}

function describe(update: SummaryProgress): [number, string] {
  const { stage, done, total, preview } = update;
  // Map calls take most of the time; the reduce stage (and a text that fits one call) gets the rest.
  const pct = stage === 'map' ? 5 + (80 * done) / Math.max(total, 1) : 85 + (14 * done) / Math.max(total, 1);
  if (preview) return [pct, `writing: …${preview.slice(-PREVIEW_CHARS)}`];
  return [pct, stage === 'map' ? `summarised part ${done} of ${total}` : `combining: ${done} of ${total}`];
}

/** How often a task waiting for its twin looks again. */
const TWIN_POLL_MS = 500;

/** Waits while an earlier twin runs; says whether there was one. */
async function waitForEarlierTwin(
  db: Db,
  taskId: string,
  ownerId: string,
  progress: TaskRunContext<unknown>['progress'],
  signal: AbortSignal,
): Promise<boolean> {
  let waited = false;
  while (await findEarlierTwin(db, taskId, ownerId)) {
    if (!waited) await progress(0, 'waiting for the same summary, asked for by another task');
    waited = true;
    await sleep(TWIN_POLL_MS, undefined, { signal });
  }
  return waited;
}

/** The document deleted while its summary was written: the insert's foreign key says so. */
function documentGoneAsNotFound(error: unknown): never {
  if (postgresError(error)?.code === FOREIGN_KEY_VIOLATION) {
    throw new AppError('RESOURCE_NOT_FOUND', 'The document was deleted while it was summarised');
  }
  throw error;
}
