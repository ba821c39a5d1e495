// Samples a process's resident memory (VmRSS) on a timer, to show how much a streamed transfer holds in memory.
import { readFileSync } from 'node:fs';

/** VmRSS of pid in bytes, or null once the process is gone (or without /proc). */
export function rssBytes(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export interface RssStats {
  samples: number;
  minBytes: number | null;
  peakBytes: number | null;
  medianBytes: number | null;
}

export interface RssSampler {
  /** Stops sampling and summarises what was seen since start. */
  stop(): RssStats;
}

export function sampleRss(pid: number, intervalMs = 50): RssSampler {
  const values: number[] = [];
  const take = (): void => {
    const v = rssBytes(pid);
    if (v !== null) values.push(v);
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop(): RssStats {
      clearInterval(timer);
      take();
      const sorted = [...values].sort((a, b) => a - b);
      return {
        samples: sorted.length,
        minBytes: sorted[0] ?? null,
        peakBytes: sorted.at(-1) ?? null,
        medianBytes: sorted[Math.floor((sorted.length - 1) / 2)] ?? null,
      };
    },
  };
}
