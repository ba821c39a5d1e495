// How staging answers when the body itself fails, in-process against the real store and database: the
// client's broken body is a VALIDATION_ERROR (its own AppError kept when it carries one), a failure of our
// disk is not blamed on the client, and nothing staged stays either way.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../src/deps.js';
import { AppError } from '../../src/errors.js';
import { stageUpload } from '../../src/modules/files/upload.js';
import { TEXT } from '../fixtures/files.js';
import { startTestCallers, type TestCallers } from '../helpers/caller.js';
import { stagedFiles } from '../helpers/files.js';

const MAX_UPLOAD = 4096;
const QUOTA = 100_000;

let app: TestCallers;
let caller: Caller;
beforeAll(async () => {
  app = await startTestCallers({
    env: { MAX_UPLOAD_BYTES: String(MAX_UPLOAD), USER_QUOTA_BYTES: String(QUOTA) },
  });
  const user = await app.register();
  caller = {
    id: user.session.user.id,
    role: 'user',
    kind: 'session',
    sessionId: null,
    apiTokenId: null,
    scopes: null,
    expiresAt: null,
  };
});
afterAll(async () => {
  await app?.close();
});

/** What stageUpload rejected with: the AppError's code and message, or the other error as it is. */
async function refusal(staging: Promise<unknown>) {
  const error = await staging.then(
    () => new Error('staged'),
    (reason: unknown) => reason,
  );
  if (error instanceof AppError) return { code: error.code, message: error.message };
  return error;
}

describe('a body that fails', () => {
  it('while the quota is still being read: VALIDATION_ERROR, and no error left unhandled', async () => {
    const body = new PassThrough();
    const staging = stageUpload(app.deps, caller, body, { name: 'a.txt' });
    // Before the quota query answers: with no 'error' listener yet this would end the process.
    body.destroy(new Error('socket hang up'));
    expect(await refusal(staging)).toEqual({
      code: 'VALIDATION_ERROR',
      message: 'The upload body ended early or could not be read',
    });
    expect(await stagedFiles(app.config.dataDir)).toEqual([]);
  });

  it('while the quota is still being read, with an AppError (the form parser refusing): that AppError', async () => {
    const body = new PassThrough();
    const staging = stageUpload(app.deps, caller, body, { name: 'a.txt' });
    body.destroy(new AppError('VALIDATION_ERROR', 'Malformed part header'));
    expect(await refusal(staging)).toEqual({ code: 'VALIDATION_ERROR', message: 'Malformed part header' });
    expect(await stagedFiles(app.config.dataDir)).toEqual([]);
  });

  it('mid-body with a plain error: VALIDATION_ERROR, not the error as it came', async () => {
    const body = new PassThrough();
    const staging = stageUpload(app.deps, caller, body, { name: 'a.txt' });
    body.write(TEXT.subarray(0, 100));
    setTimeout(() => body.destroy(new Error('read ECONNRESET')), 50);
    expect(await refusal(staging)).toEqual({
      code: 'VALIDATION_ERROR',
      message: 'The upload body ended early or could not be read',
    });
    expect(await stagedFiles(app.config.dataDir)).toEqual([]);
  });

  it('mid-body with an AppError (the form parser refusing a part): that AppError, unchanged', async () => {
    const body = new PassThrough();
    const staging = stageUpload(app.deps, caller, body, { name: 'a.txt' });
    body.write(TEXT.subarray(0, 100));
    setTimeout(() => body.destroy(new AppError('VALIDATION_ERROR', 'Send one file per request')), 50);
    expect(await refusal(staging)).toEqual({
      code: 'VALIDATION_ERROR',
      message: 'Send one file per request',
    });
    expect(await stagedFiles(app.config.dataDir)).toEqual([]);
  });
});

describe('refusals before and while reading say what the limit is', () => {
  it('a declared size over MAX_UPLOAD_BYTES', async () => {
    const body = new PassThrough();
    expect(
      await refusal(stageUpload(app.deps, caller, body, { name: 'a.txt', size: MAX_UPLOAD + 1 })),
    ).toEqual({
      code: 'FILE_TOO_LARGE',
      message: `Files may be at most ${MAX_UPLOAD} bytes`,
    });
  });

  it('a body that grows past MAX_UPLOAD_BYTES', async () => {
    const body = new PassThrough();
    const staging = stageUpload(app.deps, caller, body, { name: 'a.txt' });
    body.end(Buffer.alloc(MAX_UPLOAD + 1, 'x'));
    expect(await refusal(staging)).toEqual({
      code: 'FILE_TOO_LARGE',
      message: `Files may be at most ${MAX_UPLOAD} bytes`,
    });
    expect(await stagedFiles(app.config.dataDir)).toEqual([]);
  });
});

describe('a failure of our own storage', () => {
  it('is not blamed on the client: the store error goes up as it is (an internal error)', async () => {
    const staging = path.join(app.config.dataDir, 'blobs', 'tmp');
    await rm(staging, { recursive: true, force: true });
    await mkdir(path.dirname(staging), { recursive: true });
    // A file where the staging folder should be: the store cannot stage anything.
    await writeFile(staging, 'not a folder');
    try {
      const body = new PassThrough();
      body.end(TEXT);
      const error = await refusal(stageUpload(app.deps, caller, body, { name: 'a.txt' }));
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(AppError);
      expect((error as NodeJS.ErrnoException).code).toBe('EEXIST');
    } finally {
      await rm(staging, { force: true });
    }
  });
});
