// Who may call what (sessions, API tokens and their scopes, owner scoping of tokens) and the rules of
// auth.updateSettings, called in-process. Bearer tokens over HTTP and WebSocket are tested in api-tokens.test.ts.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appCodeOf, errorOf, startTestCallers, type TestCallers } from '../helpers/caller.js';

const LLM_KEY = 'sk-test-abcdefghijklmnop-WXYZ';

let app: TestCallers;
beforeAll(async () => {
  app = await startTestCallers();
});
afterAll(async () => {
  await app?.close();
});

describe('procedure builders', () => {
  it('scopedProcedure lets a token with the scope in; sessionProcedure refuses every API token', async () => {
    const user = await app.register();
    const { secret } = await user.api.auth.createToken({ name: 'files only', scopes: ['files:read'] });
    const script = app.as(secret);
    expect(await script.file.list({})).toEqual({ items: [], nextCursor: null });
    const sessionOnly = {
      message: 'API tokens cannot call this procedure',
      data: { appCode: 'FORBIDDEN', httpStatus: 403 },
    };
    expect(await errorOf(script.auth.logout())).toMatchObject(sessionOnly);
    expect(await errorOf(script.auth.logoutAll())).toMatchObject(sessionOnly);
    expect(await errorOf(script.auth.createToken({ name: 'more', scopes: ['files:read'] }))).toMatchObject(
      sessionOnly,
    );
    expect(await errorOf(script.auth.updateSettings({ preferredModel: 'x' }))).toMatchObject(sessionOnly);
    expect(await errorOf(script.auth.me())).toMatchObject({
      message: 'This API token lacks the "profile:read" scope',
      data: { appCode: 'FORBIDDEN' },
    });
    // The session itself may do all of it, and was not signed out by the refused logout.
    expect((await user.api.auth.me()).id).toBe(user.session.user.id);
  });

  it('answer AUTH_REQUIRED without a bearer and AUTH_INVALID for one that is no token', async () => {
    expect(await errorOf(app.anonymous.file.list({}))).toMatchObject({
      data: { appCode: 'AUTH_REQUIRED', httpStatus: 401 },
    });
    expect(await appCodeOf(app.as('drpc_not-a-real-token').file.list({}))).toBe('AUTH_INVALID');
    expect(await appCodeOf(app.as('not.a.jwt').auth.me())).toBe('AUTH_INVALID');
  });
});

describe('API tokens', () => {
  it('cannot be listed or revoked by another user: their id answers RESOURCE_NOT_FOUND', async () => {
    const owner = await app.register();
    const intruder = await app.register();
    const created = await owner.api.auth.createToken({ name: 'mine', scopes: ['profile:read'] });
    expect(await intruder.api.auth.listTokens()).toEqual([]);
    expect(await errorOf(intruder.api.auth.revokeToken({ id: created.token.id }))).toMatchObject({
      data: { appCode: 'RESOURCE_NOT_FOUND', httpStatus: 404 },
    });
    expect((await app.as(created.secret).auth.me()).id).toBe(owner.session.user.id);
  });

  it('stop working once revoked or expired, and stay listed', async () => {
    const user = await app.register();
    const revoked = await user.api.auth.createToken({ name: 'a', scopes: ['profile:read'] });
    expect(await user.api.auth.revokeToken({ id: revoked.token.id })).toEqual({ ok: true });
    expect(await appCodeOf(app.as(revoked.secret).auth.me())).toBe('AUTH_INVALID');
    const expiring = await user.api.auth.createToken({
      name: 'b',
      scopes: ['profile:read'],
      expiresInDays: 1,
    });
    expect(await appCodeOf(app.as(expiring.secret).auth.me())).toBe('no error');
    await app.deps.db.execute(
      sql`update api_tokens set expires_at = now() - interval '1 second' where id = ${expiring.token.id}`,
    );
    expect(await appCodeOf(app.as(expiring.secret).auth.me())).toBe('AUTH_INVALID');
    const listed = await user.api.auth.listTokens();
    expect(listed.map((t) => [t.name, t.revokedAt instanceof Date])).toEqual(
      expect.arrayContaining([
        ['a', true],
        ['b', false],
      ]),
    );
  });
});

describe('auth.updateSettings', () => {
  it('shows the key only as set and its last 4 characters, and clears it with null', async () => {
    const user = await app.register();
    const set = await user.api.auth.updateSettings({
      llmApiKey: LLM_KEY,
      preferredModel: 'qwen2.5:7b',
      visionModel: 'qwen-vl-plus',
    });
    expect(set.settings).toEqual({
      llmApiKeyConfigured: true,
      llmApiKeyLast4: 'WXYZ',
      llmBaseUrl: null,
      preferredModel: 'qwen2.5:7b',
      visionModel: 'qwen-vl-plus',
    });
    const cleared = await user.api.auth.updateSettings({ llmApiKey: null, visionModel: null });
    expect(cleared.settings).toEqual({
      llmApiKeyConfigured: false,
      llmApiKeyLast4: null,
      llmBaseUrl: null,
      preferredModel: 'qwen2.5:7b',
      visionModel: null,
    });
  });

  it('refuses a base URL that is not http(s), a short key and an empty update, per field', async () => {
    const user = await app.register();
    const refused = async (input: Parameters<typeof user.api.auth.updateSettings>[0]) => {
      const error = await errorOf(user.api.auth.updateSettings(input));
      return error === 'no error' ? error : [error.data.appCode, error.data.fieldErrors];
    };
    expect(await refused({ llmBaseUrl: 'file:///etc/passwd' })).toEqual([
      'VALIDATION_ERROR',
      { llmBaseUrl: ['must be an http(s) URL'] },
    ]);
    expect(await refused({ llmApiKey: 'short' })).toEqual([
      'VALIDATION_ERROR',
      { llmApiKey: ['looks too short for an API key'] },
    ]);
    expect(await refused({})).toEqual(['VALIDATION_ERROR', { '': ['nothing to update'] }]);
    // Outside production any http(s) origin is allowed, a local model server included.
    expect(
      (await user.api.auth.updateSettings({ llmBaseUrl: 'http://localhost:11434/v1' })).settings,
    ).toMatchObject({ llmBaseUrl: 'http://localhost:11434/v1' });
  });
});

describe('auth.updateSettings in production', () => {
  let prod: TestCallers;
  beforeAll(async () => {
    prod = await startTestCallers({
      env: { NODE_ENV: 'production', LLM_BASE_URL_ALLOWLIST: 'https://llm.example.com' },
    });
  });
  afterAll(async () => {
    await prod?.close();
  });

  it('accepts only allowlisted origins, so the server is never sent to internal addresses', async () => {
    const user = await prod.register();
    for (const internal of [
      'http://169.254.169.254/latest',
      'http://localhost:8080/v1',
      'http://10.0.0.5/v1',
      'https://llm.example.com.evil.test/v1',
    ]) {
      expect(await errorOf(user.api.auth.updateSettings({ llmBaseUrl: internal }))).toMatchObject({
        message: 'This LLM endpoint is not allowed on this server',
        data: {
          appCode: 'VALIDATION_ERROR',
          fieldErrors: { llmBaseUrl: ['is not in LLM_BASE_URL_ALLOWLIST'] },
        },
      });
    }
    const ok = await user.api.auth.updateSettings({ llmBaseUrl: 'https://llm.example.com/v1' });
    expect(ok.settings.llmBaseUrl).toBe('https://llm.example.com/v1');
  });
});
