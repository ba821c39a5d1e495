// file.list baseline: bare tRPC (standalone adapter, superjson, no middleware) doing docrpc's JWT check and
// list query with postgres-js; BENCH_LIST_VARIANT adds the per-request session query docrpc made before
// its session cache, and drizzle's way of sending SQL, to show what each costs.
import { initTRPC, TRPCError } from '@trpc/server';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import { jwtVerify } from 'jose';
import postgres from 'postgres';
import superjson from 'superjson';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../src/modules/auth/access-tokens.js';
import { deriveAuthSecrets } from '../../src/modules/auth/secrets.js';
import { listFilesSql } from '../../src/modules/files/list-sql.js';
import { serve } from './serve.js';

/**
 * list: JWT + list query, both as named prepared statements (postgres-js's default).
 * session: plus the session/user lookup authenticate() makes on a session-cache miss, also prepared.
 * session-unprepared: both queries with `prepare: false`, which is what drizzle passes for a query built
 *   without `.prepare(name)`: postgres-js then parses each time, and asks for the parameter types first
 *   (a second round trip) because it has no cached statement.
 */
type Variant = 'list' | 'session' | 'session-unprepared';
const variant = (process.env.BENCH_LIST_VARIANT ?? 'list') as Variant;
if (!['list', 'session', 'session-unprepared'].includes(variant))
  throw new Error(`unknown BENCH_LIST_VARIANT ${variant}`);
const url = process.env.DATABASE_URL;
const secret = process.env.JWT_SECRET;
if (!url || !secret) throw new Error('DATABASE_URL and JWT_SECRET are required');

const jwtKey = deriveAuthSecrets(secret).jwtKey;
// Same pool size as docrpc's DATABASE_POOL_MAX default.
const sql = postgres(url, { max: 10, onnotice: () => {} });
const prepare = variant !== 'session-unprepared';

// The same SQL docrpc sends for file.list (newest first, no filters), and the exact SQL drizzle generates
// for findSessionCaller, columns aliased.
const LIST_SQL = listFilesSql({ sort: 'newest', tag: false, q: false, mime: false, after: false });
const SESSION_SQL =
  'select "users"."role", "users"."disabled", "users"."token_version" as "tokenVersion", ' +
  '"sessions"."revoked_at" as "revokedAt", "sessions"."expires_at" as "expiresAt" from "sessions" ' +
  'inner join "users" on "users"."id" = "sessions"."user_id" ' +
  'where ("sessions"."id" = $1 and "sessions"."user_id" = $2)';

interface FileRow {
  id: string;
  name: string;
  mime: string;
  /** int8 arrives as a string from postgres-js; drizzle's mode: 'number' converts it. */
  size: string;
  sha256: string;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
  cursorCreatedAt: string;
}

interface SessionRow {
  role: string;
  disabled: boolean;
  tokenVersion: number;
  revokedAt: Date | null;
  expiresAt: Date;
}

const unauthorized = (message: string): TRPCError => new TRPCError({ code: 'UNAUTHORIZED', message });

/** verifyAccessToken's checks: HS256 only, issuer, audience, times, and the claims docrpc reads. */
async function callerOf(authorization: string | undefined): Promise<{ userId: string }> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) throw unauthorized('Sign in first');
  const { payload } = await jwtVerify(token, jwtKey, {
    algorithms: ['HS256'],
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    currentDate: new Date(),
    requiredClaims: ['sub', 'exp', 'iat', 'nbf'],
  }).catch(() => {
    throw unauthorized('Invalid access token');
  });
  const { sub, sid, ver } = payload;
  if (typeof sub !== 'string' || typeof sid !== 'string' || typeof ver !== 'number')
    throw unauthorized('Invalid access token');
  if (variant !== 'list') {
    const [row] = await sql.unsafe<SessionRow[]>(SESSION_SQL, [sid, sub], { prepare });
    if (
      !row ||
      row.disabled ||
      row.revokedAt !== null ||
      row.expiresAt <= new Date() ||
      row.tokenVersion !== ver
    )
      throw unauthorized('This session has ended');
  }
  return { userId: sub };
}

function limitOf(input: unknown): number {
  const limit =
    typeof input === 'object' && input !== null ? (input as { limit?: unknown }).limit : undefined;
  return typeof limit === 'number' && Number.isInteger(limit) && limit >= 1 && limit <= 100 ? limit : 20;
}

// The one thing the procedure needs from the request; tRPC has no other way to hand it the header.
const t = initTRPC.context<{ authorization: string | undefined }>().create({ transformer: superjson });

const router = t.router({
  health: t.procedure.query(() => 'ok'),
  file: t.router({
    list: t.procedure
      .input((raw: unknown) => ({ limit: limitOf(raw) }))
      .query(async ({ ctx, input }) => {
        const { userId } = await callerOf(ctx.authorization);
        const rows = await sql.unsafe<FileRow[]>(LIST_SQL, [userId, input.limit + 1], { prepare });
        const page = rows.slice(0, input.limit);
        const last = page.at(-1);
        return {
          items: page.map(({ cursorCreatedAt: _, size, ...file }) => ({ ...file, size: Number(size) })),
          nextCursor:
            rows.length > input.limit && last
              ? Buffer.from(JSON.stringify([last.cursorCreatedAt, last.id])).toString('base64url')
              : null,
        };
      }),
  }),
});

serve(
  createHTTPServer({
    router,
    basePath: '/trpc/',
    createContext: ({ req }) => ({ authorization: req.headers.authorization }),
  }),
  `bare-file-list (${variant})`,
);
