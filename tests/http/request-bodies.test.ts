// A tRPC call whose client hangs up mid-body ends: its body read fails, instead of waiting forever and
// holding what arrived (up to MAX_REQUEST_BYTES per call, a memory leak anyone could repeat).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendCutOff } from '../helpers/raw-http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testRouter } from '../helpers/test-router.js';

let server: TestServer<typeof testRouter>;
beforeAll(async () => {
  server = await startTestServer({ router: testRouter });
});
afterAll(async () => {
  await server?.close();
});

async function waitForLine(match: (line: Record<string, unknown>) => boolean, timeoutMs = 3_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = server.logs.lines().find(match);
    if (line || Date.now() > deadline) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('request bodies cut off by the client', () => {
  it('a JSON call cut off mid-body fails as a bad request (the call ends)', async () => {
    await sendCutOff(
      server.url,
      {
        path: '/trpc/test.store',
        headers: { 'content-type': 'application/json' },
        body: `{"json":{"text":"${'a'.repeat(64 * 1024)}`,
        declaredLength: 512 * 1024,
      },
      () => new Promise((resolve) => setTimeout(resolve, 100)),
    );
    const failed = await waitForLine((line) => line.msg === 'call failed' && line.procedure === 'test.store');
    expect(failed).toMatchObject({ code: 'BAD_REQUEST', message: 'The request body ended early' });
    expect(server.logs.lines().filter((line) => Number(line.level) >= 50)).toEqual([]);
  });

  it('a whole JSON call still works after', async () => {
    expect(await server.http.test.store.mutate({ text: 'hello' })).toEqual({ length: 5 });
  });
});
