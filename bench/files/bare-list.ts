// file.list baseline: bare tRPC (standalone adapter, superjson, no middleware) that verifies an HS256 access
// token (its own key; same checks docrpc makes) and sends a hand-written equivalent of docrpc's list query
// through postgres-js, prepared, on docrpc's own database. BARE_SESSION=1 adds the per-request session
// query docrpc made before its session cache.
import { initTRPC, TRPCError } from '@trpc/server';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import { jwtVerify } from 'jose';
import postgres from 'postgres';
import superjson from 'superjson';
import { serve } from '../lib/processes.js';

const { DATABASE_URL, BARE_JWT_SECRET } = process.env;
if (!DATABASE_URL || !BARE_JWT_SECRET) throw new Error('DATABASE_URL and BARE_JWT_SECRET are required');
const withSession = process.env.BARE_SESSION === '1';
const key = await crypto.subtle.importKey(
  'raw',
  Buffer.from(BARE_JWT_SECRET, 'hex'),
  { name: 'HMAC', hash: 'SHA-256' },
  false,
  ['verify'],
);
// docrpc's default pool size.
const sql = postgres(DATABASE_URL, { max: 10, onnotice: () => {} });

// Newest first, keyset columns for the cursor, owner-scoped, soft-deleted rows left out.
const LIST_SQL =
  'select id, name, mime, size, sha256, tags, created_at as "createdAt", updated_at as "updatedAt", ' +
  'created_at::text as "cursorCreatedAt" from files where owner_id = $1 and deleted_at is null ' +
  'order by created_at desc, id desc limit $2';
const SESSION_SQL =
  'select u.role, u.disabled, u.token_version as "tokenVersion", s.revoked_at as "revokedAt", ' +
  's.expires_at as "expiresAt" from sessions s join users u on u.id = s.user_id where s.id = $1 and s.user_id = $2';

type FileRow = { id: string; size: string; cursorCreatedAt: string } & Record<string, unknown>;
type SessionRow = { disabled: boolean; tokenVersion: number; revokedAt: Date | null; expiresAt: Date };

const unauthorized = () => new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first' });

async function userOf(authorization: string | undefined): Promise<string> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) throw unauthorized();
  const { payload } = await jwtVerify(token, key, {
    algorithms: ['HS256'],
    issuer: 'bench',
    audience: 'bench',
    requiredClaims: ['sub', 'exp', 'iat', 'nbf'],
  }).catch(() => {
    throw unauthorized();
  });
  const { sub, sid, ver } = payload;
  if (typeof sub !== 'string' || typeof sid !== 'string' || typeof ver !== 'number') throw unauthorized();
  if (withSession) {
    const [s] = await sql.unsafe<SessionRow[]>(SESSION_SQL, [sid, sub], { prepare: true });
    if (!s || s.disabled || s.revokedAt || s.expiresAt <= new Date() || s.tokenVersion !== ver)
      throw unauthorized();
  }
  return sub;
}

const t = initTRPC.context<{ authorization: string | undefined }>().create({ transformer: superjson });
const router = t.router({
  health: t.procedure.query(() => 'ok'),
  file: t.router({
    list: t.procedure
      .input((raw: unknown) => {
        const limit = (raw as { limit?: unknown } | undefined)?.limit;
        return {
          limit: Number.isInteger(limit) && Number(limit) >= 1 && Number(limit) <= 100 ? Number(limit) : 20,
        };
      })
      .query(async ({ ctx, input }) => {
        const owner = await userOf(ctx.authorization);
        const rows = await sql.unsafe<FileRow[]>(LIST_SQL, [owner, input.limit + 1], { prepare: true });
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
  `bare file.list${withSession ? ' + session query' : ''}`,
);
