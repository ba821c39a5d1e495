// Access tokens: every way a bearer can be wrong, and what each one answers; claims signed with our own key
// but missing or of the wrong type (each AUTH_INVALID, one message); the expiry a client is told.
import { randomUUID, type webcrypto } from 'node:crypto';
import { type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../src/auth/access-tokens.js';
import { deriveAuthSecrets } from '../../src/auth/secrets.js';
import { appClient, appCodeOf, registerUser, type TestUser } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<AppRouter>;
let user: TestUser;
let key: webcrypto.CryptoKey;
beforeAll(async () => {
  server = await startTestServer();
  user = await registerUser(server);
  key = deriveAuthSecrets(server.config.jwtSecret).jwtKey;
});
afterAll(async () => {
  await server?.close();
});

const now = () => Math.floor(Date.now() / 1000);

function claimsOf(session = user.session) {
  const payload = JSON.parse(
    Buffer.from(session.accessToken.split('.')[1] ?? '', 'base64url').toString(),
  ) as {
    sid: string;
    ver: number;
  };
  return { sid: payload.sid, ver: payload.ver };
}

function forge(
  overrides: { iss?: string; aud?: string; exp?: number; nbf?: number; iat?: number; sub?: string } = {},
) {
  const { sid, ver } = claimsOf();
  return new SignJWT({ sid, ver })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(overrides.sub ?? user.session.user.id)
    .setIssuer(overrides.iss ?? TOKEN_ISSUER)
    .setAudience(overrides.aud ?? TOKEN_AUDIENCE)
    .setIssuedAt(overrides.iat ?? now() - 10)
    .setNotBefore(overrides.nbf ?? now() - 10)
    .setExpirationTime(overrides.exp ?? now() + 600);
}

const meWith = (token: string) => appCodeOf(appClient(server.url, token).auth.me.query());

describe('access tokens', () => {
  it('a valid one reaches auth.me, over HTTP and over WebSocket connectionParams', async () => {
    expect(await meWith(user.session.accessToken)).toBe('no error');
    const me = await server.as(user.session.accessToken).ws.auth.me.query();
    expect(me.id).toBe(user.session.user.id);
  });

  it('a forged one with our key and claims is accepted (the checks below are about what differs)', async () => {
    expect(await meWith(await forge().sign(key))).toBe('no error');
  });

  it('none at all → AUTH_REQUIRED, over HTTP and WebSocket', async () => {
    expect(await appCodeOf(appClient(server.url).auth.me.query())).toBe('AUTH_REQUIRED');
    expect(await appCodeOf(server.ws.auth.me.query())).toBe('AUTH_REQUIRED');
    const response = await fetch(`${server.url}/trpc/auth.me`);
    expect(response.status).toBe(401);
  });

  it.each([
    ['garbage', async () => 'not-a-jwt'],
    [
      'a tampered payload',
      async () => {
        const [header, , signature] = user.session.accessToken.split('.');
        const payload = Buffer.from(
          JSON.stringify({ sub: randomUUID(), ...claimsOf(), exp: now() + 600 }),
        ).toString('base64url');
        return `${header}.${payload}.${signature}`;
      },
    ],
    [
      'a bad signature',
      async () => forge().sign(new TextEncoder().encode('another-secret-another-secret-another')),
    ],
    [
      'alg: none',
      async () =>
        new UnsecuredJWT({ ...claimsOf() })
          .setSubject(user.session.user.id)
          .setIssuer(TOKEN_ISSUER)
          .setAudience(TOKEN_AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('10m')
          .encode(),
    ],
    [
      'alg: RS256 (RS/HS confusion)',
      async () => {
        const [, payload, signature] = (await forge().sign(key)).split('.');
        const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url');
        return `${header}.${payload}.${signature}`;
      },
    ],
    ['the wrong issuer', async () => forge({ iss: 'someone-else' }).sign(key)],
    ['the wrong audience', async () => forge({ aud: 'another-api' }).sign(key)],
    ['not yet valid', async () => forge({ nbf: now() + 600, iat: now() }).sign(key)],
    [
      'an expired one with a bad signature',
      async () => forge({ exp: now() - 60 }).sign(new TextEncoder().encode('x'.repeat(40))),
    ],
    ['an unknown user', async () => forge({ sub: randomUUID() }).sign(key)],
  ])('%s → AUTH_INVALID', async (_name, make) => {
    expect(await meWith(await make())).toBe('AUTH_INVALID');
  });

  it('an expired one with a valid signature → AUTH_EXPIRED (the client should refresh)', async () => {
    expect(
      await meWith(await forge({ exp: now() - 60, iat: now() - 1000, nbf: now() - 1000 }).sign(key)),
    ).toBe('AUTH_EXPIRED');
  });
});

// Claims signed with our own key: only the claims themselves differ from a real token.
const decode = (part: string | undefined) => JSON.parse(Buffer.from(part ?? '', 'base64url').toString());

/** The user's real claims, with some replaced (a value) or left out (undefined). */
function forgeClaims(changes: Record<string, unknown>) {
  const real = decode(user.session.accessToken.split('.')[1]) as JWTPayload;
  const claims: Record<string, unknown> = {
    ...real,
    iss: TOKEN_ISSUER,
    aud: TOKEN_AUDIENCE,
    iat: now() - 10,
    nbf: now() - 10,
    exp: now() + 600,
  };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete claims[name];
    else claims[name] = value;
  }
  return new SignJWT(claims as JWTPayload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key);
}

/** auth.me's failure as code and message ('no error' when it passes). */
async function messageOfMe(token: string) {
  try {
    await appClient(server.url, token).auth.me.query();
    return 'no error';
  } catch (error) {
    const { message, data } = error as { message: string; data?: { appCode?: string } };
    return { appCode: data?.appCode, message };
  }
}

describe('access-token claims', () => {
  it('the forged baseline is accepted', async () => {
    expect(await messageOfMe(await forgeClaims({}))).toBe('no error');
  });

  it.each([
    ['no sub', { sub: undefined }],
    ['a numeric sub', { sub: 42 }],
    ['no sid', { sid: undefined }],
    ['a numeric sid', { sid: 7 }],
    ['no ver', { ver: undefined }],
    ['a text ver', { ver: '0' }],
    ['no exp', { exp: undefined }],
    ['no iat', { iat: undefined }],
    ['no nbf', { nbf: undefined }],
  ])('%s → AUTH_INVALID', async (_label, changes) => {
    expect(await messageOfMe(await forgeClaims(changes))).toEqual({
      appCode: 'AUTH_INVALID',
      message: 'Invalid access token',
    });
  });

  it('an expired one → AUTH_EXPIRED, saying to refresh', async () => {
    expect(
      await messageOfMe(await forgeClaims({ exp: now() - 60, iat: now() - 900, nbf: now() - 900 })),
    ).toEqual({
      appCode: 'AUTH_EXPIRED',
      message: 'Access token expired; refresh it',
    });
  });
});

describe('issued access tokens', () => {
  it('are HS256 JWTs whose expiry is ACCESS_TOKEN_TTL after issue, as the session says', async () => {
    const [header, payload] = user.session.accessToken.split('.');
    expect(decode(header)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = decode(payload) as { iat: number; nbf: number; exp: number };
    expect(claims.nbf).toBe(claims.iat);
    expect(claims.exp - claims.iat).toBe(server.config.auth.accessTokenTtlSeconds);
    expect(user.session.accessTokenExpiresAt.getTime()).toBe(claims.exp * 1000);
  });
});
