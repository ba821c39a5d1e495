// Every string input refuses NUL (PostgreSQL text cannot hold it) as a VALIDATION_ERROR on its field,
// before anything is written: one case per procedure and string field, plus the upload metadata.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { NUL_MESSAGE } from '../../src/schemas/common.js';
import { GOOD_PASSWORD, registerUser, type TestUser } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<AppRouter>;
let user: TestUser;
let sql: postgres.Sql;
beforeAll(async () => {
  server = await startTestServer({ env: { AUTH_RATE_LIMIT: '1000' } });
  sql = postgres(server.database.url, { max: 1, onnotice: () => {} });
  user = await registerUser(server);
});
afterAll(async () => {
  await sql?.end();
  await server?.close();
});

const NUL = '\u0000';
const ANY_ID = '00000000-0000-4000-8000-000000000000';

/** A digest of every row of the tables a call could write, to prove that a refused call wrote nothing. */
async function everyRow(): Promise<string[]> {
  const tables = ['users', 'sessions', 'api_tokens', 'files', 'blobs', 'tasks', 'rate_limits'];
  return Promise.all(
    tables.map(async (table) => {
      const [row] = await sql.unsafe<{ digest: string }[]>(
        `select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from ${table} t`,
      );
      return `${table}:${row?.digest}`;
    }),
  );
}

interface Case {
  procedure: string;
  type: 'query' | 'mutation';
  authed: boolean;
  input: Record<string, unknown>;
  /** The field (path) whose message must name the NUL. */
  field: string;
}

const register = { username: 'nul_user', email: 'nul@example.com', password: GOOD_PASSWORD };
const cases: Case[] = [
  {
    procedure: 'auth.register',
    type: 'mutation',
    authed: false,
    input: { ...register, username: `a${NUL}bcd` },
    field: 'username',
  },
  {
    procedure: 'auth.register',
    type: 'mutation',
    authed: false,
    input: { ...register, email: `n${NUL}l@example.com` },
    field: 'email',
  },
  {
    procedure: 'auth.register',
    type: 'mutation',
    authed: false,
    input: { ...register, password: `${GOOD_PASSWORD}${NUL}` },
    field: 'password',
  },
  {
    procedure: 'auth.login',
    type: 'mutation',
    authed: false,
    input: { login: `x${NUL}`, password: GOOD_PASSWORD },
    field: 'login',
  },
  {
    procedure: 'auth.login',
    type: 'mutation',
    authed: false,
    input: { login: 'someone', password: `p${NUL}` },
    field: 'password',
  },
  {
    procedure: 'auth.refresh',
    type: 'mutation',
    authed: false,
    input: { refreshToken: `r${NUL}` },
    field: 'refreshToken',
  },
  {
    procedure: 'auth.updateProfile',
    type: 'mutation',
    authed: true,
    input: { displayName: `D${NUL}` },
    field: 'displayName',
  },
  {
    procedure: 'auth.changePassword',
    type: 'mutation',
    authed: true,
    input: { current: `c${NUL}`, next: 'another fine passphrase' },
    field: 'current',
  },
  {
    procedure: 'auth.updateSettings',
    type: 'mutation',
    authed: true,
    input: { llmApiKey: `sk-abcdefgh${NUL}` },
    field: 'llmApiKey',
  },
  {
    procedure: 'auth.updateSettings',
    type: 'mutation',
    authed: true,
    input: { llmBaseUrl: `https://api.openai.com/v1${NUL}` },
    field: 'llmBaseUrl',
  },
  {
    procedure: 'auth.updateSettings',
    type: 'mutation',
    authed: true,
    input: { preferredModel: `gpt${NUL}` },
    field: 'preferredModel',
  },
  {
    procedure: 'auth.createToken',
    type: 'mutation',
    authed: true,
    input: { name: `ci${NUL}`, scopes: ['files:read'] },
    field: 'name',
  },
  { procedure: 'file.list', type: 'query', authed: true, input: { q: `a${NUL}` }, field: 'q' },
  { procedure: 'file.list', type: 'query', authed: true, input: { mime: `text/plain${NUL}` }, field: 'mime' },
  { procedure: 'file.list', type: 'query', authed: true, input: { tag: `t${NUL}` }, field: 'tag' },
  { procedure: 'file.list', type: 'query', authed: true, input: { cursor: `c${NUL}` }, field: 'cursor' },
  {
    procedure: 'file.rename',
    type: 'mutation',
    authed: true,
    input: { id: ANY_ID, name: `a${NUL}.txt` },
    field: 'name',
  },
  {
    procedure: 'file.updateTags',
    type: 'mutation',
    authed: true,
    input: { id: ANY_ID, tags: [`t${NUL}`] },
    field: 'tags.0',
  },
  { procedure: 'task.list', type: 'query', authed: true, input: { type: `demo${NUL}` }, field: 'type' },
];

async function call(c: Case) {
  const headers: Record<string, string> = c.authed
    ? { authorization: `Bearer ${user.session.accessToken}` }
    : {};
  const envelope = JSON.stringify({ json: c.input });
  const response =
    c.type === 'query'
      ? await fetch(`${server.url}/trpc/${c.procedure}?input=${encodeURIComponent(envelope)}`, { headers })
      : await fetch(`${server.url}/trpc/${c.procedure}`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: envelope,
        });
  const body = (await response.json()) as {
    error?: { json: { data: { appCode: string; fieldErrors?: Record<string, string[]> } } };
  };
  return { status: response.status, data: body.error?.json.data };
}

describe('a NUL in a string input', () => {
  it.each(cases.map((c) => [`${c.procedure} ${c.field}`, c] as const))(
    '%s → 400 VALIDATION_ERROR naming the field, nothing written',
    async (_, c) => {
      const before = await everyRow();
      const { status, data } = await call(c);
      expect(status).toBe(400);
      expect(data?.appCode).toBe('VALIDATION_ERROR');
      expect(data?.fieldErrors?.[c.field]).toContain(NUL_MESSAGE);
      expect(await everyRow()).toEqual(before);
    },
  );

  it('in upload metadata (typed client header, or ?name= on POST /files) → 400, no file stored', async () => {
    const before = await everyRow();
    const meta = Buffer.from(JSON.stringify({ name: `a${NUL}.txt` })).toString('base64url');
    const typed = await fetch(`${server.url}/trpc/file.upload`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${user.session.accessToken}`,
        'content-type': 'application/octet-stream',
        'x-docrpc-upload': meta,
      },
      body: 'hello',
    });
    const typedBody = (await typed.json()) as { error?: { json: { data: Record<string, unknown> } } };
    expect(typed.status).toBe(400);
    expect(typedBody.error?.json.data.fieldErrors).toEqual({ name: [NUL_MESSAGE] });
    const raw = await fetch(`${server.url}/files?name=a%00.txt`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.session.accessToken}`, 'content-type': 'text/plain' },
      body: 'hello',
    });
    const rawBody = (await raw.json()) as { error?: { data: Record<string, unknown> } };
    expect(raw.status).toBe(400);
    expect(rawBody.error?.data.appCode).toBe('VALIDATION_ERROR');
    expect(await everyRow()).toEqual(before);
  });
});
