// A task with visible steps, for tests, benchmarks and the docs: sleeps through `steps`, reporting each.
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { defineTask } from '../define-task.js';

export const ZDemoInput = z.object({
  steps: z.number().int().min(1).max(1000),
  stepMs: z.number().int().min(0).max(60_000),
  /** Throws at this step (1-based) on every attempt, to show retries and failure. */
  failAtStep: z.number().int().min(1).optional(),
});

export const demoTask = defineTask('demo', {
  input: ZDemoInput,
  retryLimit: 1,
  expireInSeconds: 60,
  async run({ input, progress, signal }) {
    for (let step = 1; step <= input.steps; step++) {
      if (input.stepMs > 0) await sleep(input.stepMs, signal);
      if (step === input.failAtStep) throw new AppError('CONFLICT', `demo task failed at step ${step}`);
      await progress(Math.round((step / input.steps) * 100), `step ${step} of ${input.steps}`);
    }
    return { steps: input.steps };
  },
});

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
