// isCallerStillValid, the check a live subscription and a download link repeat after the call that
// authenticated them: each reason a credential stops standing, on its own, in-process against real rows.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCallerStillValid } from '../../src/auth/authenticate.js';
import type { Caller } from '../../src/deps.js';
import { startTestCallers, type TestCallers } from '../helpers/caller.js';

let app: TestCallers;
let session: Caller;
beforeAll(async () => {
  app = await startTestCallers();
  const user = await app.register();
  const me = await user.api.auth.me();
  const claims = JSON.parse(
    Buffer.from(user.session.accessToken.split('.')[1] ?? '', 'base64url').toString(),
  );
  session = {
    id: me.id,
    role: 'user',
    kind: 'session',
    sessionId: String(claims.sid),
    apiTokenId: null,
    scopes: null,
    expiresAt: null,
  };
});
afterAll(async () => {
  await app?.close();
});

/** The deps with a clock stopped at `at`. */
const at = (now: Date) => ({ ...app.deps, now: () => now });

describe('isCallerStillValid', () => {
  it('holds for a live session, with or without an expiry still ahead', async () => {
    const now = new Date();
    expect(await isCallerStillValid(at(now), session)).toBe(true);
    expect(await isCallerStillValid(at(now), { ...session, expiresAt: new Date(now.getTime() + 1) })).toBe(
      true,
    );
  });

  it('ends the moment the access token expires (at its expiry, not a tick later)', async () => {
    const now = new Date();
    expect(await isCallerStillValid(at(now), { ...session, expiresAt: now })).toBe(false);
    expect(await isCallerStillValid(at(now), { ...session, expiresAt: new Date(now.getTime() - 1) })).toBe(
      false,
    );
  });

  it('does not stand without a session to check, or for a session that does not exist', async () => {
    expect(await isCallerStillValid(app.deps, { ...session, sessionId: null })).toBe(false);
    expect(await isCallerStillValid(app.deps, { ...session, sessionId: randomUUID() })).toBe(false);
  });
});
