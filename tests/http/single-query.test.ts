// Single GET queries take a shorter road than tRPC's resolveResponse (src/http/trpc-single-query.ts). The
// same request sent with a JSON content type goes tRPC's own way, so each case below asks both and
// requires the same status, headers and bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainQueryOf } from '../../src/http/trpc-single-query.js';
import { registerUser } from '../helpers/auth.js';
import { uploadRaw } from '../helpers/files.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type TestRouter, testRouter } from '../helpers/test-router.js';

let server: TestServer<TestRouter>;
let token: string;
beforeAll(async () => {
  server = await startTestServer({ router: testRouter });
  token = (await registerUser(server)).session.accessToken;
  for (const name of ['a b.txt', 'report.txt']) {
    expect((await uploadRaw(server.url, token, Buffer.from(`text of ${name}\n`), { name })).status).toBe(201);
  }
});
afterAll(async () => {
  await server?.close();
});

/** The server's debug lines saying a request took the short road. */
const shortRoadLines = (requestId: string) =>
  server.logs.lines().filter((line) => line.msg === 'single query' && line.requestId === requestId).length;

const input = (json: unknown) => `input=${encodeURIComponent(JSON.stringify({ json }))}`;

async function ask(pathAndQuery: string, headers: Record<string, string>) {
  const response = await fetch(`${server.url}/trpc/${pathAndQuery}`, { headers });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    vary: response.headers.get('vary'),
    retryAfter: response.headers.get('retry-after'),
    contentLength: response.headers.get('content-length'),
    body: await response.text(),
  };
}

/** The same call by both roads (same request id, so even masked errors match); returns the short one. */
async function bothRoads(pathAndQuery: string, authed = true) {
  const headers: Record<string, string> = { 'x-request-id': `same-${Math.random().toString(36).slice(2)}` };
  if (authed) headers.authorization = `Bearer ${token}`;
  const short = await ask(pathAndQuery, headers);
  const trpcs = await ask(pathAndQuery, { ...headers, 'content-type': 'application/json' });
  expect(short).toEqual(trpcs);
  return { ...short, tookShortRoad: shortRoadLines(headers['x-request-id'] ?? '') === 1 };
}

describe('a single GET query', () => {
  it('answers like tRPC: a page of files with dates, and the + of a form-encoded query', async () => {
    const page = await bothRoads(`file.list?${input({ limit: 5 })}`);
    expect(page.status).toBe(200);
    expect(page.tookShortRoad).toBe(true);
    expect(page.body).toContain('"meta"');
    expect(page.body).toContain('report.txt');
    const spaced = await bothRoads(`file.list?input=${JSON.stringify({ json: { limit: 5, q: 'a+b' } })}`);
    expect(spaced.body).toContain('a b.txt');
    expect(spaced.tookShortRoad).toBe(true);
    expect(await bothRoads('auth.me')).toMatchObject({ status: 200, tookShortRoad: true });
  });

  it('answers like tRPC when it fails: no credentials, bad input, app and internal errors', async () => {
    expect(await bothRoads('auth.me', false)).toMatchObject({ status: 401, tookShortRoad: true });
    const invalid = await bothRoads(`file.list?${input({ limit: 1000 })}`);
    expect(invalid).toMatchObject({ status: 400, tookShortRoad: true });
    expect(invalid.body).toContain('VALIDATION_ERROR');
    expect(await bothRoads('test.conflict')).toMatchObject({ status: 409, tookShortRoad: true });
    const internal = await bothRoads('test.explode');
    expect(internal).toMatchObject({ status: 500, tookShortRoad: true });
    expect(internal.body).not.toContain('secret_internal_table');
    // Refused after the call: tRPC reports it without the procedure's path.
    const streamLike = await bothRoads('test.streamLike');
    expect(streamLike).toMatchObject({ status: 415, tookShortRoad: true });
    expect(streamLike.body).not.toContain('test.streamLike');
  });

  it('sends Retry-After with a rate-limited query, as tRPC does', async () => {
    const headers = { authorization: `Bearer ${token}` };
    expect((await ask('test.limitedQuery', headers)).status).toBe(200);
    const short = await ask('test.limitedQuery', headers);
    const trpcs = await ask('test.limitedQuery', { ...headers, 'content-type': 'application/json' });
    for (const answer of [short, trpcs]) {
      expect(answer.status).toBe(429);
      expect(Number(answer.retryAfter)).toBeGreaterThan(0);
      expect(answer.body).toContain('RATE_LIMIT_EXCEEDED');
    }
  });

  it('leaves what it does not handle to tRPC, which answers as before', async () => {
    expect(await bothRoads('no.such.procedure')).toMatchObject({ status: 404, tookShortRoad: false });
    expect(await bothRoads('test.store')).toMatchObject({ status: 405, tookShortRoad: false });
    const malformed = await bothRoads('file.list?input=%7Bnot-json');
    expect(malformed).toMatchObject({ status: 400, tookShortRoad: false });
  });
});

describe('which requests take the short road', () => {
  const get = (url: string, headers: Record<string, string> = {}) =>
    plainQueryOf({ method: 'GET', headers }, url, '/trpc/');

  it('a plain GET with at most an input parameter', () => {
    expect(get('/trpc/file.list')).toEqual({ path: 'file.list', input: undefined });
    expect(get('/trpc/file.list?input=%7B%7D')).toEqual({ path: 'file.list', input: '%7B%7D' });
  });

  it('not batches, streams, other parameters, encoded paths, bodies or other methods', () => {
    expect(get('/trpc/a.b,c.d?batch=1&input=%7B%7D')).toBeUndefined();
    expect(get('/trpc/file.list?batch=1')).toBeUndefined();
    expect(get('/trpc/file.list?input=%7B%7D&connectionParams=1')).toBeUndefined();
    expect(get('/trpc/file%2Elist')).toBeUndefined();
    expect(get('/trpc/file.list', { 'trpc-accept': 'application/jsonl' })).toBeUndefined();
    expect(get('/trpc/file.list', { accept: 'application/jsonl' })).toBeUndefined();
    expect(get('/trpc/file.list', { 'content-type': 'application/json' })).toBeUndefined();
    expect(get('/trpc/file.list?input=%7B%22a%22%3A1%7D#x')).toBeUndefined();
    expect(plainQueryOf({ method: 'POST', headers: {} }, '/trpc/file.list', '/trpc/')).toBeUndefined();
  });
});
