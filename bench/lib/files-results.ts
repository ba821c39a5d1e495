// What bench/files.bench.ts prints at the end and stores in bench/results/files-<ISO>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadTool } from '../load.js';
import type { Outcome } from './bench-target.js';
import { summarizeFile } from './cpuprofile.js';
import { LIST_PATH, profileDir } from './files-list.js';
import {
  gapTable,
  listGap,
  listRatios,
  listSummary,
  medianTransfers,
  TARGETS,
  transferRatios,
  transferSummary,
  transferTable,
} from './files-report.js';
import { ROOT, type Run } from './files-run.js';
import type { TransferOutcome } from './files-transfer.js';
import { type machineInfo, resultFileName, table } from './report.js';

export interface Settings {
  fileMiB: number;
  rounds: number;
  connections: number;
  durationSec: number;
  warmupSec: number;
  seedFiles: number;
  tool: LoadTool;
}

export interface ListResult {
  outcomes: Outcome[];
  byId: Map<string, Outcome[]>;
  profiled: string[];
}

/** Prints the tables and ratios, writes bench/results/files-<ISO>.json and returns the failed servers. */
export function report(
  run: Run,
  settings: Settings,
  machine: { info: ReturnType<typeof machineInfo>; load: number },
  transfer: TransferOutcome,
  list: ListResult,
): Outcome[] {
  const { fileMiB, rounds } = settings;
  const tRatios = transferRatios(transfer.figures, 'docrpc', 'raw node', 'raw + blob store');
  const find = (id: string): Outcome | undefined => list.outcomes.find((o) => o.id === id);
  const lRatios = listRatios(find);
  const gap = listGap(find);
  const median = rounds > 1 ? `median of ${rounds} rounds; ` : '';
  console.log(
    `\n(a)+(b) ${fileMiB} MiB over loopback (${median}cpu = the server process, all threads)\n` +
      `${transferTable(medianTransfers(transfer.figures))}\n\n${transferSummary(tRatios)}\n`,
  );
  console.log(
    `(c) file.list (${median}db = all PostgreSQL processes' CPU over the same interval)\n` +
      `${table(list.outcomes, { dbCpu: true })}\n\n${listSummary(lRatios)}\n\n${gapTable(gap)}\n`,
  );
  for (const id of list.profiled)
    console.log(`\nprofile of ${id}:\n${summarizeFile(profileDir(run.tmpDir, id), 20)}`);

  const date = new Date();
  const resultsDir = join(ROOT, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, resultFileName('files', date));
  const flat = (o: Outcome): Record<string, unknown> =>
    o.ok
      ? { id: o.id, name: o.name, ok: true, ...o.result, ...o.cpu }
      : { id: o.id, name: o.name, ok: false, error: o.error };
  const record = {
    benchmark: 'files',
    date: date.toISOString(),
    machine: { ...machine.info, loadAvg1mAtStart: machine.load },
    settings: { ...settings, listPath: LIST_PATH, profiled: list.profiled },
    targets: TARGETS,
    transfer: { median: medianTransfers(transfer.figures), ratios: tRatios, allRounds: transfer.figures },
    list: {
      servers: list.outcomes.map(flat),
      ratios: lRatios,
      gap,
      allRounds: Object.fromEntries([...list.byId].map(([id, runs]) => [id, runs.map(flat)])),
    },
  };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  console.log(`results: ${file}`);
  return list.outcomes.filter((o) => !o.ok || o.result.non2xx > 0);
}
