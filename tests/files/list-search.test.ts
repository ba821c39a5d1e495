// file.list's name search is a substring match in which %, _ and \ are plain characters, not patterns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { appClient, registerUser, type TestUser } from '../helpers/auth.js';
import { uploadRaw } from '../helpers/files.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<AppRouter>;
let user: TestUser;
const NAMES = ['a_b.txt', 'axb.txt', '50% off.txt', '50 off.txt'];
beforeAll(async () => {
  server = await startTestServer({ env: { AUTH_RATE_LIMIT: '1000' } });
  user = await registerUser(server);
  for (const name of NAMES) {
    const result = await uploadRaw(server.url, user.session.accessToken, Buffer.from(name), { name });
    expect(result.body.file?.name).toBe(name);
  }
});
afterAll(async () => {
  await server?.close();
});

const search = async (q: string) =>
  (await appClient(server.url, user.session.accessToken).file.list.query({ q, sort: 'oldest' })).items.map(
    (f) => f.name,
  );

describe('file.list name search', () => {
  it.each([
    ['_', ['a_b.txt']],
    ['a_b', ['a_b.txt']],
    ['%', ['50% off.txt']],
    ['50%', ['50% off.txt']],
    // Names cannot hold a backslash (it is sanitised away); unescaped, it would escape what follows.
    ['\\', []],
    ['\\o', []],
    ['off', ['50% off.txt', '50 off.txt']],
    ['.TXT', NAMES],
  ])('%j finds exactly %j', async (q, expected) => {
    expect(await search(q)).toEqual(expected);
  });
});
