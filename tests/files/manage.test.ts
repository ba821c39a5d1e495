// file.list over HTTP (keyset pages, filters, forged cursors, owner scoping) and the download route's scoping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { PDF, TEXT } from '../fixtures/files.js';
import { appClient, appCodeOf, registerUser, type TestUser } from '../helpers/auth.js';
import { uploadRaw } from '../helpers/files.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<AppRouter>;
let owner: TestUser;
let intruder: TestUser;
beforeAll(async () => {
  server = await startTestServer({ env: { AUTH_RATE_LIMIT: '1000' } });
  owner = await registerUser(server);
  intruder = await registerUser(server);
});
afterAll(async () => {
  await server?.close();
});

const as = (user: TestUser) => appClient(server.url, user.session.accessToken);

async function upload(name: string, bytes = TEXT, tags?: string) {
  const result = await uploadRaw(server.url, owner.session.accessToken, bytes, {
    name,
    ...(tags ? { tags } : {}),
  });
  if (!result.body.file) throw new Error(`upload failed: ${JSON.stringify(result.body)}`);
  return result.body.file;
}

describe('file.list', () => {
  it('pages newest first with a cursor, stable while new files arrive', async () => {
    const names = Array.from({ length: 7 }, (_, i) => `page-${i}.txt`);
    for (const name of names) await upload(name, Buffer.from(name));
    const api = as(owner);
    const first = await api.file.list.query({ limit: 3, q: 'page-' });
    expect(first.items.map((f) => f.name)).toEqual(['page-6.txt', 'page-5.txt', 'page-4.txt']);
    await upload('page-late.txt', Buffer.from('late'));
    const second = await api.file.list.query({ limit: 3, q: 'page-', cursor: first.nextCursor ?? undefined });
    expect(second.items.map((f) => f.name)).toEqual(['page-3.txt', 'page-2.txt', 'page-1.txt']);
    const third = await api.file.list.query({ limit: 3, q: 'page-', cursor: second.nextCursor ?? undefined });
    expect(third.items.map((f) => f.name)).toEqual(['page-0.txt']);
    expect(third.nextCursor).toBeNull();
    const oldest = await api.file.list.query({ limit: 2, q: 'page-', sort: 'oldest' });
    expect(oldest.items.map((f) => f.name)).toEqual(['page-0.txt', 'page-1.txt']);
    // Oldest first through every page: disjoint, in order, and ending with the late upload.
    const oldestPages: string[][] = [oldest.items.map((f) => f.name)];
    let cursor = oldest.nextCursor ?? undefined;
    while (cursor && oldestPages.length < 10) {
      const page = await api.file.list.query({ limit: 2, q: 'page-', sort: 'oldest', cursor });
      oldestPages.push(page.items.map((f) => f.name));
      cursor = page.nextCursor ?? undefined;
    }
    expect(oldestPages).toEqual([
      ['page-0.txt', 'page-1.txt'],
      ['page-2.txt', 'page-3.txt'],
      ['page-4.txt', 'page-5.txt'],
      ['page-6.txt', 'page-late.txt'],
    ]);
  });

  it('filters by tag, name and type', async () => {
    await upload('tagged.pdf', PDF, 'q3,finance');
    const api = as(owner);
    expect((await api.file.list.query({ tag: 'finance' })).items.map((f) => f.name)).toEqual(['tagged.pdf']);
    // Every other file of this user is text: the PDF is the only one of its type.
    expect((await api.file.list.query({ mime: 'application/pdf' })).items.map((f) => f.name)).toEqual([
      'tagged.pdf',
    ]);
    expect((await api.file.list.query({ q: 'TAGGED' })).items.map((f) => f.name)).toEqual(['tagged.pdf']);
    expect((await api.file.list.query({ tag: 'finance', q: 'nothing-like-it' })).items).toEqual([]);
    expect((await api.file.list.query({ q: '%' })).items).toHaveLength(0);
  });

  it('refuses a made-up cursor and a limit over 100', async () => {
    const api = as(owner);
    expect(await appCodeOf(api.file.list.query({ cursor: 'bm9wZQ' }))).toBe('VALIDATION_ERROR');
    expect(await appCodeOf(api.file.list.query({ limit: 101 }))).toBe('VALIDATION_ERROR');
  });

  it.each([
    ['a month and day that do not exist', ['2024-13-45 99:99', '00000000-0000-4000-8000-000000000000']],
    ['February 30th', ['2024-02-30 10:00:00+00', '00000000-0000-4000-8000-000000000000']],
    ['an hour past 23', ['2024-02-01 24:00:00+00', '00000000-0000-4000-8000-000000000000']],
    ['an offset past 15 hours', ['2024-02-01 10:00:00+99', '00000000-0000-4000-8000-000000000000']],
    ['year zero', ['0000-01-01 10:00:00+00', '00000000-0000-4000-8000-000000000000']],
    ['an id of 36 dashes', ['2024-02-01 10:00:00+00', '-'.repeat(36)]],
    ['an id of hex digits only', ['2024-02-01 10:00:00+00', 'f'.repeat(36)]],
    ['a third element', ['2024-02-01 10:00:00+00', '00000000-0000-4000-8000-000000000000', 'x']],
    ['an object', { createdAt: '2024-02-01 10:00:00+00', id: '00000000-0000-4000-8000-000000000000' }],
  ])('refuses a forged cursor with %s as VALIDATION_ERROR on the cursor field', async (_, forged) => {
    const cursor = Buffer.from(JSON.stringify(forged)).toString('base64url');
    const error = await as(owner)
      .file.list.query({ cursor })
      .catch((e: unknown) => e as { data?: { appCode?: string; fieldErrors?: Record<string, string[]> } });
    expect(error).toMatchObject({
      data: { appCode: 'VALIDATION_ERROR', fieldErrors: { cursor: ['is not a cursor from file.list'] } },
    });
  });

  it('accepts a cursor in another time zone offset, as Postgres may write it', async () => {
    const cursor = Buffer.from(
      JSON.stringify(['2999-02-01 10:00:00.123456+05:30', '00000000-0000-4000-8000-000000000000']),
    ).toString('base64url');
    const page = await as(owner).file.list.query({ cursor, q: 'page-' });
    expect(page.items.map((f) => f.name)).toContain('page-0.txt');
  });

  it("shows nobody else's files", async () => {
    expect((await as(intruder).file.list.query({})).items).toEqual([]);
  });
});

// The rules of get, rename, updateTags and delete (and their owner scoping) are tested in-process in
// manage.caller.test.ts; here only what needs the HTTP route.
describe('GET /files/:id/content', () => {
  it("answers 404 RESOURCE_NOT_FOUND for another user's file, which stays the owner's", async () => {
    const file = await upload('private.txt');
    const download = await fetch(`${server.url}/files/${file.id}/content`, {
      headers: { authorization: `Bearer ${intruder.session.accessToken}` },
    });
    expect(download.status).toBe(404);
    expect(
      ((await download.json()) as { error?: { data?: { appCode?: string } } }).error?.data?.appCode,
    ).toBe('RESOURCE_NOT_FOUND');
    expect(await as(owner).file.get.query({ id: file.id })).toMatchObject({ name: 'private.txt', tags: [] });
  });
});
