// Every error a caller sees carries a stable appCode; internal ones are masked but traceable by request id.
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBody } from '../../src/http/error-body.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { SECRET_IN_INTERNAL_ERROR, type TestRouter, testRouter } from '../helpers/test-router.js';

interface ErrorBody {
  error: { json: { message: string; code: number; data: Record<string, unknown> } };
}

let server: TestServer<TestRouter>;
beforeAll(async () => {
  server = await startTestServer({ router: testRouter });
});
afterAll(async () => {
  await server?.close();
});

async function post(path: string, body: unknown) {
  const response = await fetch(`${server.url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { response, body: (await response.json()) as ErrorBody };
}

describe('validation failures', () => {
  it('return VALIDATION_ERROR with a message per field, over plain HTTP', async () => {
    const { response, body } = await post('test.register', { json: { email: 'not-an-email', age: 3.5 } });
    expect(response.status).toBe(400);
    const data = body.error.json.data;
    expect(data.appCode).toBe('VALIDATION_ERROR');
    expect(data.code).toBe('BAD_REQUEST');
    const fieldErrors = data.fieldErrors as Record<string, string[]>;
    expect(Object.keys(fieldErrors).sort()).toEqual(['age', 'email']);
    expect(fieldErrors.email?.[0]).toMatch(/email/i);
    expect(data.requestId).toBe(response.headers.get('x-request-id'));
  });

  it('reach the typed client as TRPCClientError with the same data', async () => {
    const error = await server.http.test.register.mutate({ email: 'x', age: 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    const data = (error as TRPCClientError<TestRouter>).data as Record<string, unknown>;
    expect(data.appCode).toBe('VALIDATION_ERROR');
    expect(Object.keys(data.fieldErrors as object)).toEqual(['email']);
  });

  it('call malformed JSON a VALIDATION_ERROR too', async () => {
    const response = await fetch(`${server.url}/trpc/test.store`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"json": {',
    });
    const body = (await response.json()) as ErrorBody;
    expect(response.status).toBe(400);
    expect(body.error.json.data.appCode).toBe('VALIDATION_ERROR');
  });
});

describe('input that cannot be read', () => {
  const deepObject = `{"json":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`;
  const q = (input: string) => `test.slow?input=${encodeURIComponent(input)}`;
  const cases: [string, string, { method?: string; body?: string }][] = [
    ['GET input=null (short road first)', q('null'), {}],
    ['GET input not a superjson envelope of its type', q('{"json":5,"meta":{"values":["set"]}}'), {}],
    ['GET batch with a null call', `test.slow?batch=1&input=${encodeURIComponent('{"0":null}')}`, {}],
    ['POST null', 'test.store', { method: 'POST', body: 'null' }],
    ['POST 100k open brackets', 'test.store', { method: 'POST', body: '['.repeat(100_000) }],
    ['POST 20k nested objects', 'test.store', { method: 'POST', body: deepObject }],
    ['POST broken JSON', 'test.store', { method: 'POST', body: '{"json": {' }],
    [
      'POST meta that is no meta',
      'test.store',
      { method: 'POST', body: '{"json":{},"meta":{"values":"x"}}' },
    ],
    ['POST batch with a null call', 'test.store?batch=1', { method: 'POST', body: '{"0":null}' }],
  ];
  it.each(cases)('%s → 400 "Invalid input", no JavaScript message', async (_, path, init) => {
    const response = await fetch(`${server.url}/trpc/${path}`, {
      ...init,
      ...(init.method === 'POST' ? { headers: { 'content-type': 'application/json' } } : {}),
    });
    const raw = (await response.json()) as ErrorBody | ErrorBody[];
    const body = Array.isArray(raw) ? raw[0] : raw;
    expect(response.status).toBe(400);
    expect(body?.error.json.message).toBe('Invalid input');
    expect(body?.error.json.data.appCode).toBe('VALIDATION_ERROR');
  });

  it('over WebSocket: a frame that is not JSON → "Invalid input"', async () => {
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/trpc`);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    const reply = new Promise<string>((resolve) => {
      ws.onmessage = (event) => resolve(String(event.data));
    });
    ws.send('{"id": 1, "method": ');
    const message = JSON.parse(await reply) as { id: null } & ErrorBody;
    ws.close();
    expect(message.error.json.message).toBe('Invalid input');
    expect(message.error.json.data.appCode).toBe('VALIDATION_ERROR');
  });
});

describe('internal errors', () => {
  it('are masked: a fixed message with the request id, no stack, no cause', async () => {
    const response = await fetch(`${server.url}/trpc/test.explode`);
    const text = await response.text();
    expect(response.status).toBe(500);
    const requestId = response.headers.get('x-request-id');
    const body = JSON.parse(text) as ErrorBody;
    expect(body.error.json.message).toBe(`Internal error (request id ${requestId})`);
    expect(body.error.json.data.appCode).toBe('INTERNAL');
    expect(body.error.json.data.requestId).toBe(requestId);
    expect(text).not.toContain('secret_internal_table');
    expect(text).not.toMatch(/stack|\.ts:\d+/);
  });

  it("include an answer that fails its own output schema: 500, not the caller's fault", async () => {
    const response = await fetch(`${server.url}/trpc/test.badOutput`, {
      headers: { 'x-request-id': 'bad-output-1' },
    });
    expect(response.status).toBe(500);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.json.message).toBe('Internal error (request id bad-output-1)');
    expect(body.error.json.data).not.toHaveProperty('fieldErrors');
    expect(body.error.json.data.appCode).toBe('INTERNAL');
    const logged = server.logs
      .lines()
      .find((l) => l.requestId === 'bad-output-1' && l.msg === 'internal error');
    expect(logged).toBeDefined();
  });

  it('are logged in full under the same request id', async () => {
    const response = await fetch(`${server.url}/trpc/test.explode`, {
      headers: { 'x-request-id': 'trace-me-42' },
    });
    expect(response.headers.get('x-request-id')).toBe('trace-me-42');
    const line = server.logs.lines().find((l) => l.requestId === 'trace-me-42' && l.msg === 'internal error');
    expect(line).toBeDefined();
    const err = line?.err as { message: string; stack: string };
    expect(err.message).toBe(SECRET_IN_INTERNAL_ERROR);
    expect(err.stack).toContain('test-router');
  });
});

describe('a failed query in the log', () => {
  it.each(['drizzle', 'postgres'] as const)(
    'through %s: names the statement, never the value the caller sent',
    async (driver) => {
      const value = `typed-by-user-${driver}-7f3a`;
      const requestId = `failed-query-${driver}`;
      const input = encodeURIComponent(JSON.stringify({ json: { value, driver } }));
      const response = await fetch(`${server.url}/trpc/test.failQuery?input=${input}`, {
        headers: { 'x-request-id': requestId },
      });
      expect(response.status).toBe(500);
      const lines = server.logs.lines().filter((l) => l.requestId === requestId);
      const logged = lines.find((l) => l.msg === 'internal error');
      expect(logged).toBeDefined();
      const err = logged?.err as { message: string };
      expect(err.message).toContain('invalid input syntax for type uuid');
      if (driver === 'drizzle') expect(err.message).toContain('select $1::uuid');
      expect(JSON.stringify(lines)).not.toContain(value);
    },
  );
});

describe('application errors', () => {
  it('keep their code, message and mapped HTTP status', async () => {
    const response = await fetch(`${server.url}/trpc/test.conflict`);
    const body = (await response.json()) as ErrorBody;
    expect(response.status).toBe(409);
    expect(body.error.json.message).toBe('That name is taken');
    expect(body.error.json.data.appCode).toBe('CONFLICT');
  });

  it('an unknown procedure is RESOURCE_NOT_FOUND with 404', async () => {
    const response = await fetch(`${server.url}/trpc/nothing.here`);
    const body = (await response.json()) as ErrorBody;
    expect(response.status).toBe(404);
    expect(body.error.json.data.appCode).toBe('RESOURCE_NOT_FOUND');
  });

  it('over WebSocket carry the same appCode', async () => {
    const error = await server.ws.test.conflict.query().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(((error as TRPCClientError<TestRouter>).data as Record<string, unknown>).appCode).toBe('CONFLICT');
  });
});

describe('outside tRPC', () => {
  it('a plain-HTTP route answers with the same error object as a tRPC call, without the json envelope', async () => {
    const headers = { 'x-request-id': 'same-refusal-1' };
    const trpc = await fetch(`${server.url}/trpc/file.list`, { headers });
    const plain = await fetch(`${server.url}/files/00000000-0000-4000-8000-000000000000/content`, {
      headers,
    });
    expect(plain.status).toBe(trpc.status);
    const trpcError = ((await trpc.json()) as ErrorBody).error.json;
    const plainBody = (await plain.json()) as { error: ErrorBody['error']['json'] };
    const { path, ...trpcData } = trpcError.data;
    expect(path).toBe('file.list');
    expect(plainBody).toEqual({
      error: { message: trpcError.message, code: trpcError.code, data: trpcData },
    });
    expect(plainBody.error.data).toMatchObject({ appCode: 'AUTH_REQUIRED', requestId: 'same-refusal-1' });
  });

  it('an unexpected failure is masked the same way', () => {
    expect(errorBody(new Error(SECRET_IN_INTERNAL_ERROR), 'rid-7')).toEqual({
      error: {
        message: 'Internal error (request id rid-7)',
        code: -32603,
        data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500, appCode: 'INTERNAL', requestId: 'rid-7' },
      },
    });
  });
});
