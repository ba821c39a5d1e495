// stats.overview: the caller's files, bytes, quota and types; totals for admins only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { PDF, TEXT } from '../fixtures/files.js';
import { appClient, registerUser } from '../helpers/auth.js';
import { uploadRaw } from '../helpers/files.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<AppRouter>;
beforeAll(async () => {
  server = await startTestServer({ env: { USER_QUOTA_BYTES: '1000000' } });
});
afterAll(async () => {
  await server?.close();
});

describe('stats.overview', () => {
  it('counts only the caller’s live files; admins also get server totals', async () => {
    const admin = await registerUser(server);
    const user = await registerUser(server);
    await uploadRaw(server.url, user.session.accessToken, TEXT, { name: 'a.txt' });
    await uploadRaw(server.url, user.session.accessToken, PDF, { name: 'b.pdf' });
    const gone = await uploadRaw(server.url, user.session.accessToken, Buffer.from('temporary'), {
      name: 'c.txt',
    });
    await uploadRaw(server.url, admin.session.accessToken, TEXT, { name: 'admin.txt' });
    const asUser = appClient(server.url, user.session.accessToken);
    await asUser.file.delete.mutate({ id: gone.body.file?.id ?? '' });

    const mine = await asUser.stats.overview.query();
    expect(mine.files).toEqual({
      count: 2,
      bytes: TEXT.length + PDF.length,
      quotaBytes: 1_000_000,
      byType: [
        { mime: 'application/pdf', count: 1, bytes: PDF.length },
        { mime: 'text/plain', count: 1, bytes: TEXT.length },
      ],
    });
    expect(mine.totals).toBeNull();

    const theirs = await appClient(server.url, admin.session.accessToken).stats.overview.query();
    expect(theirs.files.count).toBe(1);
    // TEXT was uploaded twice but is stored once.
    expect(theirs.totals).toEqual({
      users: 2,
      files: 3,
      bytes: 2 * TEXT.length + PDF.length,
      storedBytes: TEXT.length + PDF.length,
    });
  });
});
