// One throw-away embedded PostgreSQL for a benchmark, shared by docrpc and the baselines, plus its process ids.
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { createLogger } from '../../src/logger.js';

export interface BenchDb {
  url: string;
  clusterDir: string;
  /** The postmaster and all its children (backends, checkpointer, …): their CPU is the database's cost. */
  pids(): number[];
  /** Stops postgres and removes the cluster, also where it was relocated outside dataDir (root). */
  stopAndRemove(): Promise<void>;
}

function childrenOf(parent: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // ppid is the second field after the ")" that closes the command name.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) out.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/**
 * dataDir must be reachable by the postgres OS user (0755 parents) so the cluster stays inside it.
 * ephemeral (the default) turns fsync off; a benchmark whose subject is commits (tasks) asks for the
 * durability `npm start` has.
 */
export async function startBenchDb(dataDir: string, options = { ephemeral: true }): Promise<BenchDb> {
  // Made here with 0755: left to the embedded starter it would be created 0700 and unreachable for postgres.
  mkdirSync(dataDir, { recursive: true });
  chmodSync(dataDir, 0o755);
  const logger = createLogger({ logLevel: 'warn', logPretty: false });
  const pg = await startEmbeddedPostgres({ dataDir, port: 0, logger, ephemeral: options.ephemeral });
  const postmasterPid = (): number | null => {
    try {
      const pid = Number(readFileSync(join(pg.clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return pid > 0 ? pid : null;
    } catch {
      return null;
    }
  };
  let stopped = false;
  return {
    url: pg.url,
    clusterDir: pg.clusterDir,
    pids() {
      const pid = postmasterPid();
      return pid === null ? [] : [pid, ...childrenOf(pid)];
    },
    async stopAndRemove() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
      rmSync(pg.clusterDir, { recursive: true, force: true });
      // As root behind a closed path the cluster was relocated (…/data-<hash>/pg); that directory is ours too.
      if (!resolve(pg.clusterDir).startsWith(resolve(dataDir)))
        rmSync(dirname(pg.clusterDir), { recursive: true, force: true });
    },
  };
}
