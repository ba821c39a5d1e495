// The session cache and the LISTEN hub under it, against the real database: what is served from memory,
// what makes it forget, and that a stalled or dropped LISTEN connection stops it from serving stale rows.
import { decodeJwt } from 'jose';
import { pino } from 'pino';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { deriveAuthSecrets } from '../../src/auth/secrets.js';
import { type SessionCache, startSessionCache } from '../../src/auth/session-cache.js';
import { type Database, databaseOn } from '../../src/db/client.js';
import { type NotificationHub, startNotificationHub } from '../../src/db/notifications.js';
import type { Caller } from '../../src/deps.js';
import { setDisabled } from '../../src/modules/admin/service.js';
import { changePassword, logout, logoutAll } from '../../src/modules/auth/service.js';
import { rotateRefreshToken } from '../../src/modules/auth/sessions.js';
import { appClient, registerUser } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const TIMING = { heartbeatMs: 50, maxLagMs: 250, recycleAfterMs: 60_000 };
// Frozen, no notification can arrive, and with this maxLag the hub stays current throughout.
const PATIENT = { heartbeatMs: 50, maxLagMs: 10_000, recycleAfterMs: 60_000 };
const logger = pino({ level: 'silent' });

let server: TestServer<AppRouter>;
let admin: postgres.Sql;
let counted: postgres.Sql;
let db: Database;
let sessionQueries = 0;
beforeAll(async () => {
  server = await startTestServer({ env: { AUTH_RATE_LIMIT: '1000' } });
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

/** The user and session an access token names. */
function idsOf(accessToken: string) {
  const claims = decodeJwt(accessToken);
  return { userId: String(claims.sub), sessionId: String(claims.sid) };
}

async function signedIn() {
  return idsOf((await registerUser(server)).session.accessToken);
}

/** How many session queries `run` sent to the database. */
async function queriesDuring(run: () => Promise<unknown>): Promise<number> {
  const before = sessionQueries;
  await run();
  return sessionQueries - before;
}

describe('session cache', () => {
  it('answers repeated lookups of a session from memory, and only for its own user', async () => {
    // Lag is not what this test is about: a loaded machine must not make the hub look behind.
    const { cache } = await rig(PATIENT);
    const { userId, sessionId } = await signedIn();
    expect(await queriesDuring(() => cache.find(userId, sessionId))).toBe(1);
    expect(await queriesDuring(() => cache.find(userId, sessionId))).toBe(0);
    const other = await signedIn();
    expect(await cache.find(other.userId, sessionId)).toBeUndefined();
    expect((await cache.find(userId, sessionId))?.revokedAt).toBeNull();
  });

  it('forgets every cached session of a user at once, however many there are', async () => {
    const { cache } = await rig(PATIENT);
    const user = await registerUser(server);
    const first = idsOf(user.session.accessToken);
    const again = await appClient(server.url).auth.login.mutate({
      login: user.email,
      password: user.password,
    });
    const second = idsOf(again.accessToken);
    for (const ids of [first, second]) await cache.find(ids.userId, ids.sessionId);
    for (const ids of [first, second]) {
      expect(await queriesDuring(() => cache.find(ids.userId, ids.sessionId))).toBe(0);
    }
    cache.forgetUser(first.userId);
    for (const ids of [first, second]) {
      expect(await queriesDuring(() => cache.find(ids.userId, ids.sessionId))).toBe(1);
    }
  });

  it("forgets everything on '*', what a TRUNCATE of sessions or users announces", async () => {
    const { cache } = await rig(PATIENT);
    const { userId, sessionId } = await signedIn();
    await cache.find(userId, sessionId);
    expect(await queriesDuring(() => cache.find(userId, sessionId))).toBe(0);
    await admin`select pg_notify('docrpc_auth', '*')`;
    await vi.waitFor(async () => expect(await queriesDuring(() => cache.find(userId, sessionId))).toBe(1));
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
    const { cache, hub, proxy } = await rig(PATIENT);
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
    // The row cached before the stall was forgotten when the stuck notification came through.
    expect((await cache.find(userId, sessionId))?.revokedAt).not.toBeNull();
    // Memory serves again once the hub is current; on a loaded machine a late heartbeat may briefly
    // make it look behind again, so wait for a lookup that costs no query rather than demand the next.
    await vi.waitFor(async () => expect(await queriesDuring(() => cache.find(userId, sessionId))).toBe(0), {
      timeout: 5_000,
    });
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

  it('listens on a channel added while it reconnects', async () => {
    const { hub, proxy } = await rig();
    proxy.cutAll();
    await vi.waitFor(() => expect(hub.isCurrent()).toBe(false), { timeout: 2_000, interval: 1 });
    const received: string[] = [];
    await hub.listen('docrpc_test_late', {
      onMessage: (payload) => received.push(payload),
      onResync: () => {},
    });
    await vi.waitFor(() => expect(hub.isCurrent()).toBe(true), { timeout: 5_000 });
    await admin`select pg_notify('docrpc_test_late', 'heard')`;
    await vi.waitFor(() => expect(received).toEqual(['heard']));
  });

  it('replaces a LISTEN connection that stays stalled, and resyncs', async () => {
    const { hub, proxy } = await rig({ heartbeatMs: 50, maxLagMs: 250, recycleAfterMs: 600 });
    let resyncs = 0;
    await hub.listen('docrpc_test_channel', { onMessage: () => {}, onResync: () => resyncs++ });
    resyncs = 0;
    // Only the connections open now are frozen; the replacement goes through.
    proxy.freeze();
    await vi.waitFor(() => expect(hub.isCurrent()).toBe(false), { timeout: 2_000 });
    await vi.waitFor(() => expect(resyncs).toBe(1), { timeout: 5_000 });
    await vi.waitFor(() => expect(hub.isCurrent()).toBe(true), { timeout: 2_000 });
  });
});

describe('services that end sessions forget them in this process before answering', () => {
  // The LISTEN connection is frozen and the hub stays current: only the services' own forgets can act.
  async function frozen() {
    const made = await rig(PATIENT);
    made.proxy.freeze();
    return made;
  }
  const callerOf = (ids: { userId: string; sessionId: string }): Caller => ({
    id: ids.userId,
    role: 'user',
    kind: 'session',
    sessionId: ids.sessionId,
    apiTokenId: null,
    scopes: null,
    expiresAt: null,
  });

  it('logout, logoutAll and a password change', async () => {
    const { cache, hub } = await frozen();
    const deps = { db, sessionCache: cache };
    const one = await signedIn();
    await cache.find(one.userId, one.sessionId);
    await logout(deps, callerOf(one));
    expect((await cache.find(one.userId, one.sessionId))?.revokedAt).not.toBeNull();

    const two = await signedIn();
    await cache.find(two.userId, two.sessionId);
    await logoutAll(deps, callerOf(two));
    expect((await cache.find(two.userId, two.sessionId))?.revokedAt).not.toBeNull();

    const user = await registerUser(server);
    const current = idsOf(user.session.accessToken);
    const other = await appClient(server.url).auth.login.mutate({
      login: user.email,
      password: user.password,
    });
    const otherIds = idsOf(other.accessToken);
    await cache.find(otherIds.userId, otherIds.sessionId);
    await changePassword(deps, callerOf(current), { current: user.password, next: 'yet another passphrase' });
    expect((await cache.find(otherIds.userId, otherIds.sessionId))?.revokedAt).not.toBeNull();
    expect(hub.isCurrent()).toBe(true);
  });

  it('an admin disabling a user', async () => {
    const { cache, hub } = await frozen();
    const target = await signedIn();
    await cache.find(target.userId, target.sessionId);
    await setDisabled({ db, sessionCache: cache, logger }, callerOf(await signedIn()), {
      userId: target.userId,
      disabled: true,
    });
    expect((await cache.find(target.userId, target.sessionId))?.disabled).toBe(true);
    expect(hub.isCurrent()).toBe(true);
  });

  it('a reused refresh token', async () => {
    const { cache, hub } = await frozen();
    const user = await registerUser(server);
    const ids = idsOf(user.session.accessToken);
    await appClient(server.url).auth.refresh.mutate({ refreshToken: user.session.refreshToken });
    await cache.find(ids.userId, ids.sessionId);
    const deps = {
      db,
      sessionCache: cache,
      logger,
      config: server.config,
      secrets: deriveAuthSecrets(server.config.jwtSecret),
      now: () => new Date(),
    };
    await expect(rotateRefreshToken(deps, user.session.refreshToken)).rejects.toThrow();
    expect((await cache.find(ids.userId, ids.sessionId))?.revokedAt).not.toBeNull();
    expect(hub.isCurrent()).toBe(true);
  });
});
