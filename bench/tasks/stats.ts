// Percentile summaries of latency samples (nearest-rank, so every figure is a value that was observed).

export interface Dist {
  n: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}

export function dist(values: number[]): Dist {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 1000);
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? null),
    mean: round(sorted.length ? sorted.reduce((s, v) => s + v, 0) / sorted.length : null),
  };
}

export function median(values: number[]): number | null {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

export const ms = (v: number | null | undefined, digits = 2): string =>
  v === null || v === undefined ? '-' : v.toFixed(digits);
