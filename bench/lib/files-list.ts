// Part (c) of the file benchmark: the wrk targets for an authenticated file.list of 20 rows (docrpc, the bare
// tRPC baselines, and docrpc with prepared statements as an experiment) and the check that every server
// returns the same page before it is loaded.
import { join } from 'node:path';
import type { Target } from './bench-target.js';
import { httpGet } from './child.js';
import { pick } from './transfer.js';

export const LIST_PAGE = 20;
export const LIST_PATH = `/trpc/file.list?input=${encodeURIComponent(JSON.stringify({ json: { limit: LIST_PAGE } }))}`;

/**
 * The first server verified fixes the expected ids; every later one must return the same page in the same
 * order, so the baselines provably run the same query on the same rows.
 */
export function listVerifier(token: string): (port: number, path: string) => Promise<void> {
  let expected: string | undefined;
  return async (port, path) => {
    const reply = await httpGet(port, path, 5000, { authorization: `Bearer ${token}` });
    if (reply.status !== 200)
      throw new Error(`file.list: status ${reply.status}: ${reply.body.slice(0, 300)}`);
    const json: unknown = JSON.parse(reply.body);
    const items = pick(json, 'result', 'data', 'json', 'items');
    const cursor = pick(json, 'result', 'data', 'json', 'nextCursor');
    if (!Array.isArray(items) || items.length !== LIST_PAGE || typeof cursor !== 'string')
      throw new Error(`file.list: expected ${LIST_PAGE} items and a cursor: ${reply.body.slice(0, 300)}`);
    const ids = JSON.stringify([items.map((item: unknown) => pick(item, 'id')), cursor]);
    expected ??= ids;
    if (ids !== expected) throw new Error('file.list: a different page than the first server returned');
  };
}

export interface ListTargetOptions {
  tmpDir: string;
  token: string;
  docrpcEnv: NodeJS.ProcessEnv;
  databaseUrl: string;
  jwtSecret: string;
  /** Target ids to run under --cpu-prof (BENCH_PROFILE); their figures are then not comparable. */
  profile: Set<string>;
}

export function profileDir(tmpDir: string, id: string): string {
  return join(tmpDir, `prof-${id}`);
}

export function listTargets(o: ListTargetOptions): Target[] {
  const tsx = ['--import', 'tsx'];
  const prof = (id: string): string[] =>
    o.profile.has(id) ? ['--cpu-prof', `--cpu-prof-dir=${profileDir(o.tmpDir, id)}`] : [];
  const request = { headers: { Authorization: `Bearer ${o.token}` } };
  const verify = listVerifier(o.token);
  const bare = (id: string, name: string, variant: string): Target => ({
    id,
    name,
    args: [...prof(id), ...tsx, 'bench/servers/bare-file-list.ts'],
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: o.databaseUrl,
      JWT_SECRET: o.jwtSecret,
      BENCH_LIST_VARIANT: variant,
    },
    readyPath: '/trpc/health',
    path: LIST_PATH,
    request,
    verify,
  });
  return [
    {
      id: 'docrpc',
      name: 'docrpc',
      args: [...prof('docrpc'), ...tsx, 'src/main.ts'],
      env: o.docrpcEnv,
      readyPath: '/ready',
      readyTimeoutMs: 60_000,
      path: LIST_PATH,
      request,
      verify,
    },
    bare('bare-list', 'bare tRPC: JWT + list', 'list'),
    bare('bare-session', 'bare + session query', 'session'),
    bare('bare-unprepared', 'bare + session, unprepared', 'session-unprepared'),
  ];
}
