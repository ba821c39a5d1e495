// Documents, extraction: (a) PDF pages/s against poppler's pdftotext on the same files (tests/fixtures/pdfs and
// a long PDF), (b) a long PDF extracted in a docrpc process (API + worker, as `npm start`): peak RSS over idle
// and /health latency during the extraction against idle. The long PDF is BENCH_LONG_PDF, else gnuplot's
// 311-page manual (pdfTeX) from Debian's gnuplot-doc (apt-get download), else, offline, the committed PDFs
// concatenated by poppler's pdfunite until 300 pages or more (their pages unchanged, fonts repeated per copy).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { envInt } from '../lib/measure.js';
import { ROOT } from '../lib/processes.js';
import { type AreaResult, type BenchContext, fixed, over, ratio, type Table } from '../lib/report.js';
import { measureInProcess } from './extraction-process.js';
import { measureSpeed, type SpeedRow } from './extraction-speed.js';

const FIXTURES = join(ROOT, 'tests/fixtures/pdfs');
const LONG_PAGES = 300;

export async function run(ctx: BenchContext): Promise<AreaResult> {
  const rounds = envInt('BENCH_EXTRACT_ROUNDS', 3);
  const fixtures = readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.pdf'))
    .sort()
    .map((name) => join(FIXTURES, name));
  const long =
    process.env.BENCH_LONG_PDF ||
    debianManual(ctx.tmpDir) ||
    concatenated(fixtures, join(ctx.tmpDir, 'long.pdf'));

  console.log(`(a) pages/s, ours vs pdftotext, ${fixtures.length} PDFs + ${long}, median of ${rounds}`);
  const speed = await measureSpeed([...fixtures, long], rounds);
  console.log('(b) the long PDF in a docrpc process: RSS, /health');
  const inProcess = await measureInProcess(ctx, long);

  const total = speed.reduce(
    (sum, row) => ({
      pdf: 'all',
      pages: sum.pages + row.pages,
      oursMs: sum.oursMs + row.oursMs,
      pdftotextMs: sum.pdftotextMs + row.pdftotextMs,
      oursCpuMs: sum.oursCpuMs + row.oursCpuMs,
      pdftotextCpuMs: sum.pdftotextCpuMs + row.pdftotextCpuMs,
    }),
    { pdf: 'all', pages: 0, oursMs: 0, pdftotextMs: 0, oursCpuMs: 0, pdftotextCpuMs: 0 },
  );
  // Same pages on both sides: the ratio of pages/s is the inverse ratio of times.
  const speedRatio = (row: SpeedRow) => over(row.pdftotextMs, row.oursMs);
  const cpuRatio = (row: SpeedRow) => over(row.pdftotextCpuMs, row.oursCpuMs);
  const rate = (pages: number, ms: number) => (ms > 0 ? (pages * 1000) / ms : null);
  const speedRow = (row: SpeedRow) => [
    row.pdf,
    String(row.pages),
    fixed(rate(row.pages, row.oursMs), 0),
    fixed(rate(row.pages, row.pdftotextMs), 0),
    fixed(speedRatio(row), 2),
    fixed(row.oursCpuMs / Math.max(row.pages, 1), 2),
    fixed(row.pdftotextCpuMs / Math.max(row.pages, 1), 2),
    fixed(cpuRatio(row), 2),
  ];
  const longRow = speed.at(-1) as SpeedRow;
  const growth = inProcess.peakRssMiB - inProcess.idleRssMiB;
  const tables: Table[] = [
    {
      title: `(a) PDF text, pages/s (median of ${rounds}; ours: one warm extraction thread; pdftotext: a process per PDF)`,
      head: [
        'pdf',
        'pages',
        'ours pages/s',
        'pdftotext pages/s',
        'ours / pdftotext',
        'ours CPU ms/page',
        'pdftotext CPU ms/page',
        'ours / pdftotext by CPU',
      ],
      rows: [...speed.map(speedRow), speedRow(total)],
    },
    {
      title: `(b) ${inProcess.pages}-page PDF extracted by docrpc (API + worker in one process), ${fixed(inProcess.extractMs)} ms`,
      head: ['/health', 'n', 'p50 ms', 'p99 ms', 'max ms'],
      rows: [
        ['idle', String(inProcess.healthIdle.n), ...healthCells(inProcess.healthIdle)],
        [
          'during the extraction',
          String(inProcess.healthDuringExtract.n),
          ...healthCells(inProcess.healthDuringExtract),
        ],
      ],
    },
  ];
  return {
    area: 'extraction',
    settings: { rounds, long, longPages: longRow.pages },
    tables,
    ratios: [
      ratio('ours / pdftotext pages/s, all PDFs', speedRatio(total), { min: 0.3 }),
      ratio('ours / pdftotext pages/s by CPU time, all PDFs', cpuRatio(total), { min: 0.3 }),
      ratio(`ours / pdftotext pages/s, the ${longRow.pages}-page PDF`, speedRatio(longRow), { min: 0.3 }),
      ratio(
        `peak - idle RSS MiB, ${inProcess.pages}-page PDF (idle ${fixed(inProcess.idleRssMiB)} MiB)`,
        growth,
        {
          max: 200,
        },
      ),
      ratio('/health p99 during / idle', over(inProcess.healthDuringExtract.p99, inProcess.healthIdle.p99)),
    ],
    failures: [],
    figures: { speed, inProcess },
  };
}

const healthCells = (d: { p50: number | null; p99: number | null; max: number | null }) => [
  fixed(d.p50, 2),
  fixed(d.p99, 2),
  fixed(d.max, 2),
];

/** gnuplot.pdf out of the gnuplot-doc package, or undefined when the package cannot be had. */
function debianManual(dir: string): string | undefined {
  const sh = (script: string) =>
    spawnSync('bash', ['-c', script], { cwd: dir, stdio: 'ignore' }).status === 0;
  const ok = sh('apt-get download -q gnuplot-doc && dpkg -x gnuplot-doc_*.deb gnuplot-doc');
  const path = join(dir, 'gnuplot-doc/usr/share/doc/gnuplot/gnuplot.pdf');
  return ok && existsSync(path) ? path : undefined;
}

/** The fixtures, over and over, until LONG_PAGES pages or more. */
function concatenated(pdfs: string[], out: string): string {
  const pagesOf = (path: string) =>
    Number(/^Pages:\s+(\d+)/m.exec(execFileSync('pdfinfo', [path], { encoding: 'utf8' }))?.[1]);
  const parts: string[] = [];
  let pages = 0;
  while (pages < LONG_PAGES) {
    for (const pdf of pdfs) {
      if (pages >= LONG_PAGES) break;
      parts.push(pdf);
      pages += pagesOf(pdf);
    }
  }
  const run = spawnSync('pdfunite', [...parts, out], { stdio: 'ignore' });
  if (run.status !== 0) throw new Error(`pdfunite exited with ${run.status}`);
  return out;
}
