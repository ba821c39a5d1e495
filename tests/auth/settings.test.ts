// auth.updateSettings: the LLM key is sealed at rest and never shown again; base URLs are checked.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { deriveAuthSecrets, unseal } from '../../src/auth/secrets.js';
import { appClient, appCodeOf, registerUser } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const LLM_KEY = 'sk-test-abcdefghijklmnop-WXYZ';

describe('auth.updateSettings (development)', () => {
  let server: TestServer<AppRouter>;
  let sql: postgres.Sql;
  beforeAll(async () => {
    server = await startTestServer();
    sql = postgres(server.database.url, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end();
    await server?.close();
  });

  it('seals the key at rest, shows only that it is set and its last 4 characters', async () => {
    const user = await registerUser(server);
    const client = appClient(server.url, user.session.accessToken);
    const profile = await client.auth.updateSettings.mutate({
      llmApiKey: LLM_KEY,
      llmBaseUrl: 'http://localhost:11434/v1',
      preferredModel: 'qwen2.5:7b',
    });
    expect(profile.settings).toEqual({
      llmApiKeyConfigured: true,
      llmApiKeyLast4: 'WXYZ',
      llmBaseUrl: 'http://localhost:11434/v1',
      preferredModel: 'qwen2.5:7b',
    });
    expect(JSON.stringify(await client.auth.me.query())).not.toContain(LLM_KEY);
    const [row] = await sql<{ llm_api_key_encrypted: string }[]>`
      select llm_api_key_encrypted from users where id = ${user.session.user.id}`;
    expect(row?.llm_api_key_encrypted).not.toContain(LLM_KEY);
    expect(unseal(deriveAuthSecrets(server.config.jwtSecret).sealKey, row?.llm_api_key_encrypted ?? '')).toBe(
      LLM_KEY,
    );
    expect(server.logs.text()).not.toContain(LLM_KEY);
  });

  it('clears the key with null', async () => {
    const user = await registerUser(server);
    const client = appClient(server.url, user.session.accessToken);
    await client.auth.updateSettings.mutate({ llmApiKey: LLM_KEY });
    const cleared = await client.auth.updateSettings.mutate({ llmApiKey: null });
    expect(cleared.settings).toMatchObject({ llmApiKeyConfigured: false, llmApiKeyLast4: null });
  });

  it('refuses a base URL that is not http(s)', async () => {
    const user = await registerUser(server);
    const client = appClient(server.url, user.session.accessToken);
    expect(await appCodeOf(client.auth.updateSettings.mutate({ llmBaseUrl: 'file:///etc/passwd' }))).toBe(
      'VALIDATION_ERROR',
    );
  });
});

describe('auth.updateSettings (production)', () => {
  let server: TestServer<AppRouter>;
  beforeAll(async () => {
    server = await startTestServer({
      env: { NODE_ENV: 'production', LLM_BASE_URL_ALLOWLIST: 'https://llm.example.com' },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('accepts only allowlisted origins, so the server is never sent to internal addresses', async () => {
    const user = await registerUser(server);
    const client = appClient(server.url, user.session.accessToken);
    for (const internal of [
      'http://169.254.169.254/latest',
      'http://localhost:8080/v1',
      'http://10.0.0.5/v1',
    ]) {
      expect(await appCodeOf(client.auth.updateSettings.mutate({ llmBaseUrl: internal }))).toBe(
        'VALIDATION_ERROR',
      );
    }
    const ok = await client.auth.updateSettings.mutate({ llmBaseUrl: 'https://llm.example.com/v1' });
    expect(ok.settings.llmBaseUrl).toBe('https://llm.example.com/v1');
  });
});
