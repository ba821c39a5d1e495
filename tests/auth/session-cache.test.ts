// The session cache and the LISTEN hub under it, against the real database: what is served from memory,
// what makes it forget, and that a stalled or dropped LISTEN connection stops it from serving stale rows.
import { decodeJwt } from 'jose';
import { pino } from 'pino';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { type Database, databaseOn } from '../../src/db/client.js';
import { type NotificationHub, startNotificationHub } from '../../src/db/notifications.js';
import { type SessionCache, startSessionCache } from '../../src/modules/auth/session-cache.js';
import { registerUser } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const TIMING = { heartbeatMs: 50, maxLagMs: 250 };
const logger = pino({ level: 'silent' });

let server: TestServer<AppRouter>;
let admin: postgres.Sql;
let counted: postgres.Sql;
let db: Database;
let sessionQueries = 0;
beforeAll(async () => {
  server = await startTestServer();
  admin = postgres(server.database.url, { max: 1, onnotice: () => {} });
  counted = postgres(server.database.url, {
    max: 2,
    onnotice: () => {},
    debug: (_connection, query) => {
      if (query.includes('from "sessions"')) sessionQueries++;
    },
  });
  db = databaseOn(counted);
});
afterAll(async () => {
  await counted?.end();
  await admin?.end();
  await server?.close();
});

interface Rig {
  proxy: TcpProxy;
  hub: NotificationHub;
  cache: SessionCache;
}
const rigs: Rig[] = [];
afterEach(async () => {
  for (const rig of rigs.splice(0)) {
    rig.proxy.thaw();
    await rig.hub.close();
    await rig.proxy.close();
  }
});

/** A cache whose LISTEN connection goes through a proxy the test can freeze or cut; queries go direct. */
async function rig(timing = TIMING): Promise<Rig> {
  const target = new URL(server.database.url);
  const proxy = await startTcpProxy(Number(target.port));
  const viaProxy = new URL(server.database.url);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  const hub = await startNotificationHub(viaProxy.toString(), logger, timing);
  await vi.waitFor(() => expect(hub.isCurrent()).toBe(true));
  const made = { proxy, hub, cache: await startSessionCache(db, hub) };
  rigs.push(made);
  return made;
}

async function signedIn() {
  const user = await registerUser(server);
  const claims = decodeJwt(user.session.accessToken);
  return { userId: String(claims.sub), sessionId: String(claims.sid) };
}

/** How many session queries `run` sent to the database. */
async function queriesDuring(run: () => Promise<unknown>): Promise<number> {
  const before = sessionQueries;
  await run();
  return sessionQueries - before;
}

describe('session cache', () => {
  it('answers repeated lookups of a session from memory, and only for its own user', async () => {
    const { cache } = await rig();
    const { userId, sessionId } = await signedIn();
    expect(await queriesDuring(() => cache.find(userId, sessionId))).toBe(1);
    expect(await queriesDuring(() => cache.find(userId, sessionId))).toBe(0);
    const other = await signedIn();
    expect(await cache.find(other.userId, sessionId)).toBeUndefined();
    expect((await cache.find(userId, sessionId))?.revokedAt).toBeNull();
  });

  it('forgets a session revoked by any connection, and every session of a user who changes', async () => {
    const { cache } = await rig();
    const first = await signedIn();
    await cache.find(first.userId, first.sessionId);
    await admin`update sessions set revoked_at = now() where id = ${first.sessionId}`;
    await vi.waitFor(async () =>
      expect((await cache.find(first.userId, first.sessionId))?.revokedAt).not.toBeNull(),
    );

    const second = await signedIn();
    await cache.find(second.userId, second.sessionId);
    await admin`update users set disabled = true where id = ${second.userId}`;
    await vi.waitFor(async () =>
      expect((await cache.find(second.userId, second.sessionId))?.disabled).toBe(true),
    );

    const third = await signedIn();
    await cache.find(third.userId, third.sessionId);
    await admin`update users set token_version = token_version + 1 where id = ${third.userId}`;
    await vi.waitFor(async () =>
      expect((await cache.find(third.userId, third.sessionId))?.tokenVersion).toBe(1),
    );
  });

  it('forgets at once what this process changes itself', async () => {
    // Frozen, no notification can arrive, and with this maxLag the hub stays current throughout.
    const { cache, hub, proxy } = await rig({ heartbeatMs: 50, maxLagMs: 10_000 });
    const { userId, sessionId } = await signedIn();
    await cache.find(userId, sessionId);
    proxy.freeze();
    await admin`update sessions set revoked_at = now() where id = ${sessionId}`;
    expect((await cache.find(userId, sessionId))?.revokedAt).toBeNull();
    cache.forgetSession(sessionId);
    expect((await cache.find(userId, sessionId))?.revokedAt).not.toBeNull();
    expect(hub.isCurrent()).toBe(true);
  });

  it('does not keep a row read while the session was being changed', async () => {
    const { cache } = await rig();
    const { userId, sessionId } = await signedIn();
    const reading = cache.find(userId, sessionId);
    cache.forgetSession(sessionId);
    await reading;
    expect(await queriesDuring(() => cache.find(userId, sessionId))).toBe(1);
  });

  it('reads the database on every call while its LISTEN connection is stalled', async () => {
    const { cache, hub, proxy } = await rig();
    const { userId, sessionId } = await signedIn();
    await cache.find(userId, sessionId);
    proxy.freeze();
    await admin`update sessions set revoked_at = now() where id = ${sessionId}`;
    // The revocation's notification is stuck in the frozen connection; the missing heartbeats tell.
    await vi.waitFor(() => expect(hub.isCurrent()).toBe(false), { timeout: 2_000 });
    expect(await queriesDuring(() => cache.find(userId, sessionId))).toBe(1);
    expect((await cache.find(userId, sessionId))?.revokedAt).not.toBeNull();

    proxy.thaw();
    await vi.waitFor(() => expect(hub.isCurrent()).toBe(true), { timeout: 2_000 });
    await cache.find(userId, sessionId);
    expect(await queriesDuring(() => cache.find(userId, sessionId))).toBe(0);
  });

  it('forgets everything when its LISTEN connection drops, since notifications may have been lost', async () => {
    const { cache, hub, proxy } = await rig();
    const { userId, sessionId } = await signedIn();
    await cache.find(userId, sessionId);
    let resyncs = 0;
    await hub.listen('docrpc_test_channel', { onMessage: () => {}, onResync: () => resyncs++ });
    resyncs = 0;
    proxy.cutAll();
    await vi.waitFor(() => expect(resyncs).toBe(1), { timeout: 5_000 });
    await vi.waitFor(() => expect(hub.isCurrent()).toBe(true), { timeout: 2_000 });
    expect(await queriesDuring(() => cache.find(userId, sessionId))).toBe(1);
  });

  it('delivers other channels on the same connection, and after a reconnect', async () => {
    const { hub, proxy } = await rig();
    const received: string[] = [];
    let resyncs = 0;
    await hub.listen('docrpc_test_channel', {
      onMessage: (payload) => received.push(payload),
      onResync: () => resyncs++,
    });
    await admin`select pg_notify('docrpc_test_channel', 'before')`;
    await vi.waitFor(() => expect(received).toEqual(['before']));
    proxy.cutAll();
    await vi.waitFor(() => expect(resyncs).toBe(2), { timeout: 5_000 });
    await admin`select pg_notify('docrpc_test_channel', 'after')`;
    await vi.waitFor(() => expect(received).toEqual(['before', 'after']));
  });
});
