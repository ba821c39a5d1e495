// The run's one PostgreSQL: an embedded cluster in the temp dir, a database per area, and its process ids.
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import postgres from 'postgres';
import { startEmbeddedPostgres } from '../../src/db/embedded/embedded.js';
import { createLogger } from '../../src/logger.js';

export interface Cluster {
  version: string;
  database(name: string): Promise<string>;
  pids(): number[];
  stop(): Promise<void>;
}

function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
      } catch {
        return false; // ended while we looked
      }
    })
    .map(Number);
}

/** ephemeral turns fsync off; by default the cluster is as durable as `npm start`'s (tasks measure commits). */
export async function startCluster(dataDir: string, ephemeral: boolean): Promise<Cluster> {
  // 0755, so the postgres OS user (when we are root) can reach it and the cluster stays inside.
  mkdirSync(dataDir, { recursive: true });
  chmodSync(dataDir, 0o755);
  const logger = createLogger({ logLevel: 'warn', logPretty: false });
  const pg = await startEmbeddedPostgres({ dataDir, port: 0, logger, ephemeral });
  const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
  const [row] = await admin<{ v: string }[]>`select current_setting('server_version') as v`;
  return {
    version: row?.v ?? 'unknown',
    async database(name) {
      await admin.unsafe(`drop database if exists ${name}`);
      await admin.unsafe(`create database ${name}`);
      return pg.url.replace(/\/postgres$/, `/${name}`);
    },
    pids() {
      try {
        const pid = Number(readFileSync(join(pg.clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
        return pid > 0 ? [pid, ...childrenOf(pid)] : [];
      } catch {
        return [];
      }
    },
    async stop() {
      await admin.end({ timeout: 5 });
      await pg.stop();
      rmSync(pg.clusterDir, { recursive: true, force: true });
      // As root behind a closed path the cluster was relocated (…/data-<hash>/pg); that directory is ours too.
      if (!resolve(pg.clusterDir).startsWith(resolve(dataDir)))
        rmSync(dirname(pg.clusterDir), { recursive: true, force: true });
    },
  };
}
