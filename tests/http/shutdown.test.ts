// Graceful shutdown: in-flight calls finish, new connections are refused, WebSocket clients are told.
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server.js';
import { slowCalls, testRouter } from '../helpers/test-router.js';

describe('graceful shutdown', () => {
  it('lets an in-flight request finish, then refuses new connections', async () => {
    const server = await startTestServer({ router: testRouter });
    const started = once(slowCalls, 'started');
    const inFlight = server.http.test.slow.query({ ms: 400 });
    // Stop only once the request is in the server's hands: a connection whose request has not been read
    // yet is idle, and closing idle connections at shutdown is right (a fixed 100 ms was not enough under load).
    await Promise.race([started, inFlight]);
    const stopped = server.app.stop();
    await expect(inFlight).resolves.toEqual({ waited: 400 });
    await stopped;
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    await server.database.drop();
  });

  it('closes WebSocket clients and ends with no open handles', async () => {
    const server = await startTestServer({ router: testRouter });
    expect((await server.ws.system.info.query()).name).toBe('docrpc');
    await server.app.stop();
    const lines = server.logs.lines();
    expect(lines.some((l) => l.msg === 'ws closed' && l.code === 1001)).toBe(true);
    await server.close();
  });
});
