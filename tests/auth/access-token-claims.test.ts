// Access tokens signed with our own key whose claims are missing or of the wrong type: each is refused
// as AUTH_INVALID, with the same message; and the expiry a client is told matches the token's own.
import type { webcrypto } from 'node:crypto';
import { type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../src/auth/access-tokens.js';
import { deriveAuthSecrets } from '../../src/auth/secrets.js';
import { appClient, registerUser, type TestUser } from '../helpers/auth.js';
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

const decode = (part: string | undefined) => JSON.parse(Buffer.from(part ?? '', 'base64url').toString());
const now = () => Math.floor(Date.now() / 1000);

/** The user's real claims, with some replaced (a value) or left out (undefined). */
function forge(changes: Record<string, unknown>) {
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

async function meWith(token: string) {
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
    expect(await meWith(await forge({}))).toBe('no error');
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
    expect(await meWith(await forge(changes))).toEqual({
      appCode: 'AUTH_INVALID',
      message: 'Invalid access token',
    });
  });

  it('an expired one → AUTH_EXPIRED, saying to refresh', async () => {
    expect(await meWith(await forge({ exp: now() - 60, iat: now() - 900, nbf: now() - 900 }))).toEqual({
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
