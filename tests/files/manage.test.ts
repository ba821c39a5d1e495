// file.list (keyset pages, filters), get, rename, updateTags, delete, and owner scoping of each.
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

  it("shows nobody else's files", async () => {
    expect((await as(intruder).file.list.query({})).items).toEqual([]);
  });
});

describe('file.get, rename, updateTags, delete', () => {
  it('work for the owner', async () => {
    const file = await upload('draft.txt');
    const api = as(owner);
    expect((await api.file.get.query({ id: file.id })).name).toBe('draft.txt');
    expect((await api.file.rename.mutate({ id: file.id, name: '../final version.txt' })).name).toBe(
      'final version.txt',
    );
    expect(
      (await api.file.updateTags.mutate({ id: file.id, tags: ['Final', 'final', 'legal'] })).tags,
    ).toEqual(['final', 'legal']);
    expect(await appCodeOf(api.file.updateTags.mutate({ id: file.id, tags: ['no spaces allowed'] }))).toBe(
      'VALIDATION_ERROR',
    );
    await api.file.delete.mutate({ id: file.id });
    expect(await appCodeOf(api.file.get.query({ id: file.id }))).toBe('RESOURCE_NOT_FOUND');
    expect(await appCodeOf(api.file.delete.mutate({ id: file.id }))).toBe('RESOURCE_NOT_FOUND');
  });

  it("answer RESOURCE_NOT_FOUND for another user's file, for every procedure and the download route", async () => {
    const file = await upload('private.txt');
    const api = as(intruder);
    expect(await appCodeOf(api.file.get.query({ id: file.id }))).toBe('RESOURCE_NOT_FOUND');
    expect(await appCodeOf(api.file.rename.mutate({ id: file.id, name: 'mine now' }))).toBe(
      'RESOURCE_NOT_FOUND',
    );
    expect(await appCodeOf(api.file.updateTags.mutate({ id: file.id, tags: ['x'] }))).toBe(
      'RESOURCE_NOT_FOUND',
    );
    expect(await appCodeOf(api.file.delete.mutate({ id: file.id }))).toBe('RESOURCE_NOT_FOUND');
    expect(await appCodeOf(api.file.downloadUrl.mutate({ id: file.id }))).toBe('RESOURCE_NOT_FOUND');
    const download = await fetch(`${server.url}/files/${file.id}/content`, {
      headers: { authorization: `Bearer ${intruder.session.accessToken}` },
    });
    expect(download.status).toBe(404);
    // And the owner's file is untouched.
    expect(await as(owner).file.get.query({ id: file.id })).toMatchObject({ name: 'private.txt', tags: [] });
  });
});
