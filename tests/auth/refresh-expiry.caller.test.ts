// A refresh token stops working when it, or the session it belongs to, has expired, whatever else holds.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appCodeOf, startTestCallers, type TestCallers } from '../helpers/caller.js';

let app: TestCallers;
let sql: postgres.Sql;
beforeAll(async () => {
  app = await startTestCallers();
  sql = postgres(app.database.url, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end();
  await app?.close();
});

describe('auth.refresh after expiry', () => {
  it('refuses a refresh token past its own expiry', async () => {
    const user = await app.register();
    await sql`update refresh_tokens set expires_at = now() - interval '1 second'
      where session_id = (select id from sessions where user_id = ${user.session.user.id})`;
    expect(await appCodeOf(app.anonymous.auth.refresh({ refreshToken: user.session.refreshToken }))).toBe(
      'AUTH_INVALID',
    );
  });

  it('refuses a refresh token whose session has expired', async () => {
    const user = await app.register();
    await sql`update sessions set expires_at = now() - interval '1 second' where user_id = ${user.session.user.id}`;
    expect(await appCodeOf(app.anonymous.auth.refresh({ refreshToken: user.session.refreshToken }))).toBe(
      'AUTH_INVALID',
    );
  });

  it('still refreshes while both stand', async () => {
    const user = await app.register();
    expect(await appCodeOf(app.anonymous.auth.refresh({ refreshToken: user.session.refreshToken }))).toBe(
      'no error',
    );
  });
});
