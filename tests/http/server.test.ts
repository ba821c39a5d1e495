// The HTTP layer around tRPC: health, readiness, request ids, timing, body limits, CORS and compression.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type TestRouter, testRouter } from '../helpers/test-router.js';

let server: TestServer<TestRouter>;
beforeAll(async () => {
  server = await startTestServer({
    router: testRouter,
    env: { MAX_REQUEST_BYTES: '2048', CORS_ORIGINS: 'http://app.example.test' },
  });
});
afterAll(async () => {
  await server?.close();
});

describe('/health and /ready', () => {
  it('/health says the process is up', async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });

  it('/ready checks the database and the job queue', async () => {
    const response = await fetch(`${server.url}/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', checks: { database: 'ok', queue: 'ok' } });
  });

  it('an unknown path is a JSON 404 with its appCode in error.data, as every error body', async () => {
    const response = await fetch(`${server.url}/nowhere`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: {
        message: 'No route for /nowhere',
        code: -32004,
        data: {
          code: 'NOT_FOUND',
          httpStatus: 404,
          appCode: 'RESOURCE_NOT_FOUND',
          requestId: response.headers.get('x-request-id'),
        },
      },
    });
  });
});

describe('request ids and timing', () => {
  it('keeps a sane caller id, echoes it and logs it with the request', async () => {
    const response = await fetch(`${server.url}/trpc/system.info`, {
      headers: { 'x-request-id': 'abc-123.def' },
    });
    expect(response.headers.get('x-request-id')).toBe('abc-123.def');
    await response.text();
    // The line is written when the response closes, just after the client has read it.
    const line = await vi.waitFor(() => {
      const found = server.logs.lines().find((l) => l.requestId === 'abc-123.def' && l.msg === 'request');
      if (!found) throw new Error('no access-log line yet');
      return found;
    });
    expect(line).toMatchObject({
      method: 'GET',
      path: '/trpc/system.info',
      procedure: 'system.info',
      status: 200,
    });
    expect(typeof line?.ms).toBe('number');
  });

  it('replaces an unsafe caller id with a generated one', async () => {
    const response = await fetch(`${server.url}/health`, { headers: { 'x-request-id': 'a b <script>' } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports the server time spent in Server-Timing', async () => {
    const response = await fetch(`${server.url}/trpc/system.info`);
    expect(response.headers.get('server-timing')).toMatch(/^app;dur=\d+(\.\d+)?$/);
  });
});

describe('request size limit', () => {
  it('refuses a body over MAX_REQUEST_BYTES with 413 and stores nothing', async () => {
    const response = await fetch(`${server.url}/trpc/test.store`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: { text: 'x'.repeat(4096) } }),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { error: { json: { data: { code: string } } } };
    expect(body.error.json.data.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('accepts a body under the limit', async () => {
    const result = await server.http.test.store.mutate({ text: 'x'.repeat(1000) });
    expect(result.length).toBe(1000);
  });
});

describe('CORS', () => {
  it('allows a listed origin, including preflight', async () => {
    const preflight = await fetch(`${server.url}/trpc/test.store`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://app.example.test',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://app.example.test');
    const response = await fetch(`${server.url}/trpc/system.info`, {
      headers: { origin: 'http://app.example.test' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('http://app.example.test');
    expect(response.headers.get('access-control-expose-headers')).toContain('X-Request-ID');
  });

  it('gives no CORS grant to an unlisted origin', async () => {
    const response = await fetch(`${server.url}/trpc/system.info`, {
      headers: { origin: 'http://evil.example.test' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('compression', () => {
  function rawGet(path: string, encoding: string) {
    return new Promise<{ headers: http.IncomingHttpHeaders; bytes: number }>((resolve, reject) => {
      http
        .get(`${server.url}${path}`, { headers: { 'accept-encoding': encoding } }, (res) => {
          let bytes = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
          });
          res.on('end', () => resolve({ headers: res.headers, bytes }));
        })
        .on('error', reject);
    });
  }
  const largePath = `/trpc/test.large?input=${encodeURIComponent(JSON.stringify({ json: { items: 2000 } }))}`;

  it('compresses a large JSON response with gzip or br as the caller accepts', async () => {
    const plain = await rawGet(largePath, 'identity');
    const gzip = await rawGet(largePath, 'gzip');
    const br = await rawGet(largePath, 'br');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(br.headers['content-encoding']).toBe('br');
    expect(gzip.bytes).toBeLessThan(plain.bytes / 4);
  });

  it('leaves a small response alone', async () => {
    const small = await rawGet('/trpc/system.info', 'gzip, br');
    expect(small.headers['content-encoding']).toBeUndefined();
  });
});

describe('WebSocket upgrade', () => {
  it('is refused on any other path', async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = http.request(`${server.url}/elsewhere`, {
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      });
      req.on('response', (res) => resolve(res.statusCode));
      req.on('upgrade', () => resolve(101));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(404);
  });
});
