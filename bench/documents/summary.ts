// Documents (summary): a long document (~50 chunks) summarised by map-reduce against the fake OpenAI-compatible
// provider with a fixed latency per call: wall time at concurrency c against the same summary at concurrency 1
// (the sequential sum of the calls, measured in the same run) and against the ideal sum / c.
import { readFileSync } from 'node:fs';
import { summarizeWithModel } from '../../src/llm/map-reduce.js';
import { createOpenAiChatModel } from '../../src/llm/openai-chat-model.js';
import { startFakeLlm } from '../../tests/helpers/fake-llm.js';
import { envInt } from '../lib/measure.js';
import { ROOT } from '../lib/processes.js';
import { type AreaResult, type BenchContext, fixed, over, ratio } from '../lib/report.js';

const CONTEXT_TOKENS = 4000;

export async function run(ctx: BenchContext): Promise<AreaResult> {
  const s = {
    latencyMs: envInt('BENCH_LLM_LATENCY_MS', 200),
    concurrency: envInt('BENCH_LLM_CONCURRENCY', 4),
    copies: envInt('BENCH_LLM_COPIES', 140),
    contextTokens: CONTEXT_TOKENS,
    rounds: ctx.rounds,
  };
  const essay = readFileSync(`${ROOT}/tests/fixtures/texts/thoreau-civil-disobedience.en.txt`, 'utf8');
  const text = Array.from({ length: s.copies }, (_, i) => `Copy ${i + 1}. ${essay}`).join('\n\n');
  const fake = await startFakeLlm({ latencyMs: s.latencyMs });
  const chat = createOpenAiChatModel({
    baseURL: fake.baseURL,
    apiKey: fake.apiKey,
    model: fake.model,
    timeoutMs: 30_000,
    maxRetries: 0,
  });
  const summarize = async (concurrency: number) => {
    fake.reset();
    fake.settings.latencyMs = s.latencyMs;
    const started = performance.now();
    const outcome = await summarizeWithModel({
      text,
      options: { length: 'medium', style: 'paragraph' },
      chat,
      contextTokens: s.contextTokens,
      concurrency,
    });
    return { wallMs: performance.now() - started, outcome, maxInFlight: fake.maxInFlight };
  };
  try {
    const runs = [];
    for (let round = 0; round < s.rounds; round++) {
      console.log(
        `summary of ${text.length} chars, ${s.latencyMs} ms a call: concurrency 1, then ${s.concurrency}`,
      );
      const sequential = await summarize(1);
      const parallel = await summarize(s.concurrency);
      runs.push({ sequential, parallel });
    }
    const best = runs.reduce((a, b) => (b.parallel.wallMs < a.parallel.wallMs ? b : a));
    const { sequential, parallel } = best;
    const idealMs = sequential.wallMs / s.concurrency;
    const row = (name: string, r: typeof sequential, c: number) => [
      name,
      String(c),
      String(r.outcome.chunks),
      String(r.outcome.calls),
      String(r.maxInFlight),
      fixed(r.wallMs),
    ];
    return {
      area: 'documents',
      settings: s,
      tables: [
        {
          title: `document.summarize map-reduce, fake provider at ${s.latencyMs} ms a call`,
          head: ['run', 'concurrency', 'chunks', 'calls', 'max in flight', 'wall ms'],
          rows: [
            row('sequential (the sum of the calls)', sequential, 1),
            row('map-reduce', parallel, s.concurrency),
            ['ideal: sum / concurrency', String(s.concurrency), '', '', '', fixed(idealMs)],
          ],
        },
      ],
      ratios: [
        ratio('summary wall / ideal (sum / concurrency)', over(parallel.wallMs, idealMs), { max: 1.3 }),
        ratio('summary speed-up over sequential', over(sequential.wallMs, parallel.wallMs)),
      ],
      failures:
        parallel.maxInFlight > s.concurrency
          ? [`${parallel.maxInFlight} calls in flight, more than ${s.concurrency}`]
          : [],
      figures: runs.map((r) => ({
        sequential: { wallMs: r.sequential.wallMs, ...r.sequential.outcome, summary: undefined },
        parallel: { wallMs: r.parallel.wallMs, ...r.parallel.outcome, summary: undefined },
      })),
    };
  } finally {
    await fake.close();
  }
}
