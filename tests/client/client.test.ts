// The client package against the real server: typed calls over HTTP and over WebSocket.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDocrpcClient, createDocrpcWebSocket, type RouterOutputs } from '../../client/src/index.js';
import type { AppRouter } from '../../src/app-router.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<AppRouter>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('createDocrpcClient', () => {
  it('calls system.info over HTTP with typed output', async () => {
    const api = createDocrpcClient({ url: server.url });
    const info: RouterOutputs['system']['info'] = await api.system.info.query();
    expect(info.name).toBe('docrpc');
    expect(info.serverTime).toBeInstanceOf(Date);
  });

  it('signs in and calls authenticated procedures over HTTP and WebSocket', async () => {
    let accessToken = '';
    const webSocket = createDocrpcWebSocket(server.url, () => ({ token: accessToken }));
    const api = createDocrpcClient({
      url: server.url,
      headers: () => (accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
      webSocket,
    });
    const session = await api.auth.register.mutate({
      username: 'client_user',
      email: 'client@example.com',
      password: 'correct horse battery staple',
    });
    accessToken = session.accessToken;
    expect((await api.auth.me.query()).email).toBe('client@example.com');
    const overWs = createDocrpcClient({ url: server.url, webSocket, allOverWebSocket: true });
    expect((await overWs.auth.me.query()).id).toBe(session.user.id);
    await webSocket.close();
  });

  it('calls over a WebSocket when asked to', async () => {
    const webSocket = createDocrpcWebSocket(server.url);
    const api = createDocrpcClient({ url: server.url, webSocket, allOverWebSocket: true });
    const info = await api.system.info.query();
    expect(info.database.kind).toBe('external');
    await webSocket.close();
    await vi.waitFor(() => {
      expect(server.logs.lines().some((l) => l.transport === 'ws' && l.procedure === 'system.info')).toBe(
        true,
      );
    });
  });
});
