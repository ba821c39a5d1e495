// system.info over each transport a caller can use: plain HTTP, a batched HTTP request, and WebSocket.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import type { TestRouter } from '../helpers/test-router.js';
import { testRouter } from '../helpers/test-router.js';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

let server: TestServer<TestRouter>;
beforeAll(async () => {
  server = await startTestServer({ router: testRouter });
});
afterAll(async () => {
  await server?.close();
});

describe('system.info', () => {
  it('answers over plain HTTP with dates revived by superjson', async () => {
    const info = await server.http.system.info.query();
    expect(info.name).toBe('docrpc');
    expect(info.version).toBe(packageJson.version);
    expect(info.database.kind).toBe('external');
    expect(info.serverTime).toBeInstanceOf(Date);
    expect(info.startedAt).toBeInstanceOf(Date);
    expect(info.serverTime.getTime()).toBeGreaterThanOrEqual(info.startedAt.getTime());
    expect(info.uptimeSeconds).toBeGreaterThanOrEqual(0);
  });

  it('answers several calls in one batched HTTP request', async () => {
    const response = await fetch(`${server.url}/trpc/system.info,test.whoami,system.info?batch=1&input={}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { result: { data: { json: Record<string, unknown> } } }[];
    expect(body).toHaveLength(3);
    expect(body[0]?.result.data.json.name).toBe('docrpc');
    expect(body[1]?.result.data.json.transport).toBe('http');

    const [a, b] = await Promise.all([server.batch.system.info.query(), server.batch.test.whoami.query()]);
    expect(a.name).toBe('docrpc');
    // Both calls travelled in one request: one access-log line names both procedures, with b's request id.
    const batchedLines = server.logs.lines().filter((l) => l.procedure === 'system.info,test.whoami');
    expect(batchedLines).toHaveLength(1);
    expect(batchedLines[0]?.requestId).toBe(b.requestId);
  });

  it('answers over WebSocket on the same port and path', async () => {
    const info = await server.ws.system.info.query();
    expect(info.name).toBe('docrpc');
    expect(info.serverTime).toBeInstanceOf(Date);
    const who = await server.ws.test.whoami.query();
    expect(who.transport).toBe('ws');
    expect(server.logs.lines().some((l) => l.transport === 'ws' && l.procedure === 'test.whoami')).toBe(true);
  });
});
