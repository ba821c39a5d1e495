// A blob's references change under one lock per content key (an advisory lock in PostgreSQL): a delete of
// the last file that holds some bytes and an upload of the same bytes never interleave, which would leave
// a file row whose blob was just removed. Shown by holding that lock from another connection: both wait.
import { createHash } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppCaller, octetBody, startTestCallers, type TestCallers } from '../helpers/caller.js';
import { blobFiles } from '../helpers/files.js';

let app: TestCallers;
let owner: AppCaller;
let token: string;
let locker: postgres.Sql;
beforeAll(async () => {
  app = await startTestCallers();
  const user = await app.register();
  owner = user.api;
  token = user.session.accessToken;
  locker = postgres(app.database.url, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await locker?.end();
  await app?.close();
});

/** Runs `work` while another connection holds the content key's lock; says whether it waited for it. */
async function waitsForTheLock(sha256: string, work: () => Promise<unknown>): Promise<boolean> {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked: () => void = () => {};
  const lockHeld = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const holder = locker.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtextextended(${sha256}, 0))`;
    locked();
    await released;
  });
  await lockHeld;
  let done = false;
  const running = work().finally(() => {
    done = true;
  });
  // Without the lock the work needs a few milliseconds; with it, it cannot finish before the release.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const waited = !done;
  release();
  await holder;
  await running;
  return waited;
}

describe('the content key lock', () => {
  it('holds a delete of the last reference until it is free; the blob then goes', async () => {
    const bytes = Buffer.from(`only copy ${Date.now()}\n`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const file = await app.as(token, { uploadMeta: { name: 'a.txt' } }).file.upload(octetBody(bytes));
    expect(await waitsForTheLock(sha256, () => owner.file.delete({ id: file.id }))).toBe(true);
    expect((await blobFiles(app.config.dataDir)).some((entry) => entry.endsWith(sha256))).toBe(false);
  });

  it('holds an upload of the same bytes until it is free; the file is then stored', async () => {
    const bytes = Buffer.from(`uploaded under the lock ${Date.now()}\n`);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    let stored: { sha256: string } | undefined;
    const upload = async () => {
      stored = await app.as(token, { uploadMeta: { name: 'b.txt' } }).file.upload(octetBody(bytes));
    };
    expect(await waitsForTheLock(sha256, upload)).toBe(true);
    expect(stored?.sha256).toBe(sha256);
    expect((await blobFiles(app.config.dataDir)).some((entry) => entry.endsWith(sha256))).toBe(true);
  });
});
