// docrpc as the benchmarks run it: `node --import tsx src/main.ts` (or src/worker.ts) in its own process on a
// database of the run's cluster, and the typed client that talks to it.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '../../src/app-router.js';
import { type Child, spawnNode } from './processes.js';
import type { BenchContext } from './report.js';

export type DocrpcClient = TRPCClient<AppRouter>;

/** Production mode like a deployment, its own data dir, a database of its own, no rate limit in the way. */
export async function docrpcEnv(ctx: BenchContext, database: string): Promise<NodeJS.ProcessEnv> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    DATA_DIR: join(ctx.tmpDir, 'docrpc-data'),
    DATABASE_URL: await ctx.database(database),
    JWT_SECRET: randomBytes(32).toString('hex'),
    AUTH_RATE_LIMIT: '1000000',
    // One token serves a whole run, which may outlast the default 15 minutes.
    ACCESS_TOKEN_TTL_SECONDS: String(24 * 3600),
  };
}

export function startDocrpc(
  ctx: BenchContext,
  id: string,
  env: NodeJS.ProcessEnv,
  entry: 'main' | 'worker' = 'main',
): Promise<Child> {
  return spawnNode({
    id,
    script: `src/${entry}.ts`,
    logDir: ctx.tmpDir,
    nodeArgs: ctx.nodeFlags,
    // The worker has no HTTP: it is ready when it says so (at info level).
    ...(entry === 'main'
      ? { env, readyPath: '/ready' }
      : { env: { ...env, LOG_LEVEL: 'info' }, readyLine: 'docrpc worker running' }),
  });
}

export function docrpcClient(port: number, token?: string): DocrpcClient {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `http://127.0.0.1:${port}/trpc`,
        transformer: superjson,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      }),
    ],
  });
}

export const BENCH_USER = {
  username: 'bench',
  email: 'bench@example.com',
  password: 'benchmark passphrase 1',
};

/** Registers the benchmark's user; returns its access token. */
export async function register(port: number): Promise<string> {
  return (await docrpcClient(port).auth.register.mutate(BENCH_USER)).accessToken;
}
