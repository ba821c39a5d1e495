// The README's Python example (standard library only), run as written against a live server: only the
// base URL and the credentials are replaced.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { registerUser, type TestUser } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<AppRouter>;
let user: TestUser;
beforeAll(async () => {
  server = await startTestServer({ env: { DEMO_TASKS_ENABLED: 'true' } });
  user = await registerUser(server);
});
afterAll(async () => {
  await server?.close();
});

async function readmeExample(): Promise<string> {
  const readme = await readFile('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## REST and OpenAPI'));
  const code = /```python\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error('no Python example in the README section');
  const replaced = code
    .replace('"http://localhost:3000"', JSON.stringify(server.url))
    .replace(
      '"username": "ada", "password": "…"',
      `"username": ${JSON.stringify(user.username)}, "password": ${JSON.stringify(user.password)}`,
    );
  expect(replaced).not.toBe(code);
  return replaced;
}

describe('the README Python example', () => {
  it('signs in, starts a task (202 + Location) and follows its events to the end', async () => {
    const { stdout } = await promisify(execFile)('python3', ['-c', await readmeExample()], {
      timeout: 20_000,
    });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^202 \/api\/tasks\/[0-9a-f-]{36}$/);
    expect(lines.at(-1)).toBe('succeeded 100');
  }, 30_000);
});
