// Pages per second of our PDF extraction (one warm extraction thread in this process, as the worker runs it)
// and of poppler's pdftotext (a process per PDF, as one would run it) on the same files, in turn, each the
// median of its rounds; wall time and CPU time (ours: this process, idle but for the extraction; pdftotext:
// the children's times bash reports, in 10 ms ticks), as neighbours on a shared machine move wall time most.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createExtractionPool } from '../../src/extraction/pool.js';
import { median } from '../lib/measure.js';

export interface SpeedRow {
  pdf: string;
  pages: number;
  oursMs: number;
  pdftotextMs: number;
  oursCpuMs: number;
  pdftotextCpuMs: number;
}

export async function measureSpeed(pdfs: string[], rounds: number): Promise<SpeedRow[]> {
  const pool = createExtractionPool(1);
  const ours = async (path: string) => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const result = await pool.extract(new Uint8Array(readFileSync(path)), 'application/pdf', {
      signal: new AbortController().signal,
      onProgress: () => {},
    });
    const used = process.cpuUsage(cpu);
    return {
      ms: performance.now() - started,
      cpuMs: (used.user + used.system) / 1000,
      pages: result.pages ?? 0,
    };
  };
  try {
    // The thread's first task loads pdf.js: not part of any PDF's figure.
    await ours(pdfs[0] ?? '');
    const rows: SpeedRow[] = [];
    for (const path of pdfs) {
      const oursMs: number[] = [];
      const popplerMs: number[] = [];
      const oursCpu: number[] = [];
      const popplerCpu: number[] = [];
      let pages = 0;
      for (let round = 0; round < rounds; round++) {
        // Alternate who goes first, so neither always runs on a cache the other warmed.
        const order = round % 2 === 0 ? ['ours', 'pdftotext'] : ['pdftotext', 'ours'];
        for (const who of order) {
          if (who === 'ours') {
            const run = await ours(path);
            oursMs.push(run.ms);
            oursCpu.push(run.cpuMs);
            pages = run.pages;
          } else {
            const run = pdftotext(path);
            popplerMs.push(run.ms);
            popplerCpu.push(run.cpuMs);
          }
        }
      }
      rows.push({
        pdf: basename(path),
        pages,
        oursMs: median(oursMs) ?? 0,
        pdftotextMs: median(popplerMs) ?? 0,
        oursCpuMs: median(oursCpu) ?? 0,
        pdftotextCpuMs: median(popplerCpu) ?? 0,
      });
    }
    return rows;
  } finally {
    await pool.close();
  }
}

function pdftotext(path: string): { ms: number; cpuMs: number } {
  const started = performance.now();
  const run = spawnSync('bash', ['-c', 'pdftotext -enc UTF-8 "$1" /dev/null && times', 'bash', path], {
    encoding: 'utf8',
  });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`pdftotext ${path} exited with ${run.status}: ${run.stderr}`);
  // `times`: the shell's user and system time, then its children's ("0m0.120s 0m0.010s").
  const children = run.stdout.trim().split('\n')[1] ?? '';
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map(([, m, s]) => Number(m) * 60 + Number(s));
  return { ms, cpuMs: seconds.reduce((sum, v) => sum + v, 0) * 1000 };
}
