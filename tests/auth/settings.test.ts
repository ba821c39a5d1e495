// auth.updateSettings end to end: the LLM key is sealed at rest and appears in no response or log line.
// Its validation rules (clearing, base URLs, the production allowlist) are tested in access.caller.test.ts.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { deriveAuthSecrets, unseal } from '../../src/auth/secrets.js';
import { appClient, registerUser } from '../helpers/auth.js';
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
      visionModel: null,
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
});
