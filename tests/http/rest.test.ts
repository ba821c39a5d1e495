// The REST adapter: every query and mutation also served as plain JSON under /api, from the same procedures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { queryInput, queryShapeOf } from '../../src/http/rest-input.js';
import { appCodeOf, registerUser, type TestUser } from '../helpers/auth.js';
import { uploadRaw } from '../helpers/files.js';
import { rest } from '../helpers/rest.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<import('../../src/app-router.js').AppRouter>;
let user: TestUser;
let token: string;
beforeAll(async () => {
  server = await startTestServer();
  user = await registerUser(server);
  token = user.session.accessToken;
});
afterAll(async () => {
  await server?.close();
});

async function upload(name: string, text = `hello from ${name}`) {
  const result = await uploadRaw(server.url, token, Buffer.from(text), { name, contentType: 'text/plain' });
  expect(result.status).toBe(201);
  return result.body.file as NonNullable<typeof result.body.file>;
}

describe('queries and mutations over REST', () => {
  it('GET /api/me answers the profile as plain JSON', async () => {
    const me = await rest<{ username: string; createdAt: string }>(server.url, 'GET', '/api/me', { token });
    expect(me.status).toBe(200);
    expect(me.headers.get('content-type')).toMatch(/^application\/json/);
    expect(me.body.username).toBe(user.username);
    // Dates are ISO strings: no superjson envelope.
    expect(new Date(me.body.createdAt).toISOString()).toBe(me.body.createdAt);
  });

  it('reads numbers from the query string, and the same procedure over /trpc still refuses a string', async () => {
    await upload('a.txt');
    await upload('b.txt');
    const page = await rest<{ items: { name: string }[]; nextCursor: string | null }>(
      server.url,
      'GET',
      '/api/files?limit=1&sort=oldest',
      { token },
    );
    expect(page.status).toBe(200);
    expect(page.body.items.map((file) => file.name)).toEqual(['a.txt']);
    expect(page.body.nextCursor).not.toBeNull();
    // The input schema was read, not changed: tRPC's callers get no coercion they did not ask for.
    const trpcCode = await appCodeOf(
      server.as(token).http.file.list.query({ limit: '1' as unknown as number }),
    );
    expect(trpcCode).toBe('VALIDATION_ERROR');
  });

  it('GET /api/files/{id}, PUT …/tags, DELETE /api/files/{id}', async () => {
    const file = await upload('c.txt');
    const got = await rest<{ id: string }>(server.url, 'GET', `/api/files/${file.id}`, { token });
    expect(got.body.id).toBe(file.id);
    const tagged = await rest<{ tags: string[] }>(server.url, 'PUT', `/api/files/${file.id}/tags`, {
      token,
      body: { tags: ['Report', 'q3'] },
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(tagged.status).toBe(200);
    expect(tagged.body.tags).toEqual(['report', 'q3']);
    const deleted = await rest(server.url, 'DELETE', `/api/files/${file.id}`, { token });
    expect(deleted).toMatchObject({ status: 200, body: { ok: true } });
    const gone = await rest<{ error: { data: { appCode: string } } }>(
      server.url,
      'GET',
      `/api/files/${file.id}`,
      { token },
    );
    expect(gone.status).toBe(404);
    expect(gone.body.error.data.appCode).toBe('RESOURCE_NOT_FOUND');
  });

  it('routes /api/documents/search to document.search, not to document.get with the id "search"', async () => {
    const found = await rest<{ items: unknown[]; nextCursor: null }>(
      server.url,
      'GET',
      '/api/documents/search?q=hello',
      { token },
    );
    expect(found.status).toBe(200);
    expect(found.body).toEqual({ items: [], nextCursor: null });
  });

  it('answers a known path with the wrong method 405 with Allow', async () => {
    const answer = await rest<{ error: { data: { appCode: string } } }>(server.url, 'POST', '/api/me', {
      token,
    });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('GET, PATCH');
    expect(answer.body.error.data.appCode).toBe('VALIDATION_ERROR');
  });

  it('answers an unknown /api path 404 RESOURCE_NOT_FOUND', async () => {
    const answer = await rest<{ error: { data: { appCode: string } } }>(server.url, 'GET', '/api/nope', {
      token,
    });
    expect(answer.status).toBe(404);
    expect(answer.body.error.data.appCode).toBe('RESOURCE_NOT_FOUND');
  });
});

describe('query strings', () => {
  const shape = queryShapeOf(
    z.object({
      limit: z.number().int().default(20),
      archived: z.boolean().optional(),
      tags: z.array(z.string()).optional(),
      q: z.string().optional(),
    }),
  );

  it('coerce numbers and booleans, gather arrays, leave strings alone', () => {
    const input = queryInput(new URLSearchParams('limit=5&archived=false&tags=a&tags=b&q=42'), shape);
    expect(input).toEqual({ limit: 5, archived: false, tags: ['a', 'b'], q: '42' });
  });

  it('leave what does not read as the type for the schema to refuse', () => {
    const input = queryInput(new URLSearchParams('limit=five&archived=yes&q=a&q=b'), shape);
    expect(input).toEqual({ limit: 'five', archived: 'yes', q: ['a', 'b'] });
  });
});
