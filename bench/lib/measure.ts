// In-process micro-benchmark helper: µs per call of a step, median of five batches after a JIT warm-up.
export type Step = () => unknown;

export async function measure(label: string, step: Step, iterations: number): Promise<number> {
  const run = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      const r = step();
      if (r instanceof Promise) await r;
    }
  };
  await run(Math.ceil(iterations / 5)); // let the JIT settle first
  // Median of five batches: single batches swing with GC timing on a small VM.
  const batches: number[] = [];
  for (let b = 0; b < 5; b++) {
    const start = process.hrtime.bigint();
    await run(iterations);
    batches.push(Number(process.hrtime.bigint() - start) / iterations / 1000);
  }
  const us = batches.sort((x, y) => x - y)[2] ?? Number.NaN;
  console.log(`${us.toFixed(2).padStart(8)} µs  ${label}`);
  return us;
}
