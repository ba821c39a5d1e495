// The rules of file.rename, updateTags, delete, quota and owner scoping, called in-process (no HTTP):
// the transport of the same procedures is tested in manage.test.ts and upload.test.ts.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEXT } from '../fixtures/files.js';
import type { TestUser } from '../helpers/auth.js';
import {
  type AppCaller,
  appCodeOf,
  errorOf,
  octetBody,
  startTestCallers,
  type TestCallers,
} from '../helpers/caller.js';

const QUOTA = 10_000;

let app: TestCallers;
// Registering costs a password hash: the owner and the intruder serve every test that does not count bytes.
let owner: TestUser & { api: AppCaller };
let intruder: TestUser & { api: AppCaller };
beforeAll(async () => {
  app = await startTestCallers({ env: { USER_QUOTA_BYTES: String(QUOTA) } });
  owner = await app.register();
  intruder = await app.register();
});
afterAll(async () => {
  await app?.close();
});

/** file.upload as the typed client calls it: the bytes, with name and tags beside them. */
async function upload(token: string, name: string, bytes: Buffer = TEXT, tags: string[] = []) {
  return app.as(token, { uploadMeta: { name, tags } }).file.upload(octetBody(bytes));
}

describe('file.upload (in-process)', () => {
  it('stores name, tags, type, size and digest exactly', async () => {
    const file = await upload(owner.session.accessToken, '../notes\u202e.txt', TEXT, ['Q3', 'q3', 'Finance']);
    expect(file).toMatchObject({
      name: 'notes.txt',
      mime: 'text/plain',
      size: TEXT.length,
      sha256: createHash('sha256').update(TEXT).digest('hex'),
      tags: ['q3', 'finance'],
    });
  });
});

describe('file.rename', () => {
  it('keeps only the last path part, without control or bidi characters', async () => {
    const { id } = await upload(owner.session.accessToken, 'draft.txt');
    const rename = (name: string) => owner.api.file.rename({ id, name });
    expect((await rename('../final version.txt')).name).toBe('final version.txt');
    expect((await rename('C:\\Users\\me\\report.txt')).name).toBe('report.txt');
    expect((await rename('inv\u0007oice\u202etxt.exe')).name).toBe('invoicetxt.exe');
    expect((await rename('  many   spaces  .txt')).name).toBe('many spaces .txt');
    expect((await rename('..')).name).toBe('untitled');
    expect((await owner.api.file.get({ id })).name).toBe('untitled');
  });

  it('refuses an empty name, a NUL and a name over 255 characters, per field', async () => {
    const { id } = await upload(owner.session.accessToken, 'draft.txt');
    expect(await errorOf(owner.api.file.rename({ id, name: '   ' }))).toMatchObject({
      data: { appCode: 'VALIDATION_ERROR', httpStatus: 400, fieldErrors: { name: ['is required'] } },
    });
    expect(await errorOf(owner.api.file.rename({ id, name: 'a\u0000b.txt' }))).toMatchObject({
      data: { appCode: 'VALIDATION_ERROR', fieldErrors: { name: ['must not contain NUL characters'] } },
    });
    expect(await errorOf(owner.api.file.rename({ id, name: 'x'.repeat(256) }))).toMatchObject({
      data: { appCode: 'VALIDATION_ERROR', fieldErrors: { name: ['must be at most 255 characters'] } },
    });
    expect((await owner.api.file.get({ id })).name).toBe('draft.txt');
  });
});

describe('file.updateTags', () => {
  it('trims, lower-cases and de-duplicates, keeping first-seen order', async () => {
    const { id } = await upload(owner.session.accessToken, 'tagged.txt');
    expect(
      (await owner.api.file.updateTags({ id, tags: ['Final', ' final ', 'legal', 'FINAL'] })).tags,
    ).toEqual(['final', 'legal']);
    expect((await owner.api.file.updateTags({ id, tags: [] })).tags).toEqual([]);
  });

  it('refuses a malformed tag and more than 20 tags, naming the field', async () => {
    const { id } = await upload(owner.session.accessToken, 'tagged.txt', TEXT, ['keep']);
    expect(await errorOf(owner.api.file.updateTags({ id, tags: ['ok', 'no spaces allowed'] }))).toMatchObject(
      {
        data: {
          appCode: 'VALIDATION_ERROR',
          fieldErrors: { 'tags.1': ['tags are 1-50 letters, digits, ".", "_", ":" or "-"'] },
        },
      },
    );
    const tooMany = Array.from({ length: 21 }, (_, i) => `t${i}`);
    expect(await errorOf(owner.api.file.updateTags({ id, tags: tooMany }))).toMatchObject({
      data: { appCode: 'VALIDATION_ERROR', fieldErrors: { tags: ['at most 20 tags'] } },
    });
    expect((await owner.api.file.get({ id })).tags).toEqual(['keep']);
  });
});

describe('file.delete', () => {
  it('answers ok once, then RESOURCE_NOT_FOUND for get and delete', async () => {
    const { id } = await upload(owner.session.accessToken, 'gone.txt');
    expect(await owner.api.file.delete({ id })).toEqual({ ok: true });
    expect(await appCodeOf(owner.api.file.get({ id }))).toBe('RESOURCE_NOT_FOUND');
    expect(await appCodeOf(owner.api.file.delete({ id }))).toBe('RESOURCE_NOT_FOUND');
    expect((await owner.api.file.list({ q: 'gone' })).items).toEqual([]);
  });
});

describe('owner scoping', () => {
  it("another user's file answers exactly like a file that never existed, and stays untouched", async () => {
    const { id } = await upload(owner.session.accessToken, 'private.txt', TEXT, ['mine']);
    const never = '00000000-0000-4000-8000-000000000000';
    const calls = (api: AppCaller, fileId: string) => [
      api.file.get({ id: fileId }),
      api.file.rename({ id: fileId, name: 'mine now' }),
      api.file.updateTags({ id: fileId, tags: ['x'] }),
      api.file.downloadUrl({ id: fileId }),
      api.file.delete({ id: fileId }),
    ];
    const foreign = await Promise.all(calls(intruder.api, id).map(errorOf));
    const missing = await Promise.all(calls(intruder.api, never).map(errorOf));
    expect(foreign).toEqual(missing);
    expect(foreign.map((e) => (e === 'no error' ? e : [e.data.appCode, e.message]))).toEqual(
      Array.from({ length: 5 }, () => ['RESOURCE_NOT_FOUND', 'No such file']),
    );
    expect((await intruder.api.file.list({})).items).toEqual([]);
    expect(await owner.api.file.get({ id })).toMatchObject({ name: 'private.txt', tags: ['mine'] });
  });
});

describe('quota', () => {
  it('accepts an upload that fills it exactly, refuses one byte more, and frees what is deleted', async () => {
    const user = await app.register();
    const token = user.session.accessToken;
    await upload(token, 'a.txt', Buffer.alloc(6_000, 'a'));
    const last = await upload(token, 'b.txt', Buffer.alloc(QUOTA - 6_000, 'b'));
    expect(await errorOf(upload(token, 'c.txt', Buffer.from('c')))).toMatchObject({
      message: `This upload would pass your storage quota of ${QUOTA} bytes`,
      data: { appCode: 'QUOTA_EXCEEDED', httpStatus: 403 },
    });
    expect((await user.api.stats.overview()).files).toMatchObject({
      count: 2,
      bytes: QUOTA,
      quotaBytes: QUOTA,
    });
    await user.api.file.delete({ id: last.id });
    expect((await upload(token, 'c.txt', Buffer.from('c'))).size).toBe(1);
    expect((await user.api.stats.overview()).files).toMatchObject({ count: 2, bytes: 6_001 });
  });
});

describe('API token scopes on file.*', () => {
  it('files:read lists and reads but may not write', async () => {
    const { id } = await upload(owner.session.accessToken, 'shared.txt');
    const { secret } = await owner.api.auth.createToken({ name: 'reader', scopes: ['files:read'] });
    const script = app.as(secret);
    expect((await script.file.list({ q: 'shared' })).items.map((f) => f.id)).toEqual([id]);
    expect((await script.file.get({ id })).name).toBe('shared.txt');
    expect(await errorOf(script.file.rename({ id, name: 'renamed.txt' }))).toMatchObject({
      message: 'This API token lacks the "files:write" scope',
      data: { appCode: 'FORBIDDEN', httpStatus: 403 },
    });
    expect(await appCodeOf(upload(secret, 'more.txt'))).toBe('FORBIDDEN');
  });
});
