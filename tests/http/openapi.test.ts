// GET /openapi.json: OpenAPI 3.1 for every REST route and byte route, with the security schemes the docs page
// authorizes with; the live document passes `redocly lint` (recommended rules, redocly.yaml).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { appRouter } from '../../src/app-router.js';
import { ZErrorBody } from '../../src/http/error-body.js';
import { restRouteTable } from '../../src/http/rest-routes.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

interface Document {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>>;
  components: { securitySchemes: Record<string, Record<string, unknown>> };
}

let server: TestServer<AppRouter>;
let document: Document;
beforeAll(async () => {
  server = await startTestServer();
  const response = await fetch(`${server.url}/openapi.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  document = (await response.json()) as Document;
});
afterAll(async () => {
  await server?.close();
});

describe('the OpenAPI document', () => {
  it('is 3.1 and has an operation for every REST route the server serves', () => {
    expect(document.openapi).toBe('3.1.0');
    const routes = restRouteTable(appRouter).routes;
    expect(routes.length).toBeGreaterThan(25);
    for (const route of routes) {
      expect(
        document.paths[route.path]?.[route.method.toLowerCase()],
        `${route.method} ${route.path}`,
      ).toBeDefined();
    }
  });

  it('describes the byte routes, the token endpoint and task events', () => {
    const upload = document.paths['/files']?.post as unknown as { requestBody: { content: object } };
    expect(Object.keys(upload.requestBody.content)).toEqual([
      'multipart/form-data',
      'application/octet-stream',
    ]);
    expect(Object.keys(document.paths['/files/{id}/content']?.get?.responses ?? {})).toContain('206');
    expect(document.paths['/documents/{id}/text']?.get).toBeDefined();
    expect(document.paths['/api/auth/token']?.post?.security).toEqual([]);
    expect(document.paths['/api/tasks/{id}/events']?.get?.responses['200']).toMatchObject({
      content: { 'text/event-stream': {} },
    });
  });

  it('answers 202 with Location where a task starts, 429 where a rate limit counts', () => {
    const summarize = document.paths['/api/documents/{documentId}/summaries']?.post?.responses ?? {};
    expect(Object.keys(summarize)).toContain('202');
    expect(Object.keys(summarize)).not.toContain('200');
    expect(summarize['202']).toMatchObject({ headers: { Location: {} } });
    expect(Object.keys(document.paths['/api/auth/login']?.post?.responses ?? {})).toContain('429');
  });

  it('declares Bearer and the OAuth2 password flow at /api/auth/token', () => {
    const schemes = document.components.securitySchemes;
    expect(schemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.oauth2).toMatchObject({
      type: 'oauth2',
      flows: { password: { tokenUrl: '/api/auth/token' } },
    });
    expect(document.paths['/api/files']?.get?.security).toEqual([{ bearer: [] }, { oauth2: [] }]);
  });

  it('writes every point in time as a date-time string, nullable ones too', () => {
    const json200 = (pathName: string) => document.paths[pathName]?.get?.responses['200'];
    expect(json200('/api/me')).toMatchObject({
      content: {
        'application/json': {
          schema: { properties: { createdAt: { type: 'string', format: 'date-time' } } },
        },
      },
    });
    expect(json200('/api/tasks/{id}')).toMatchObject({
      content: {
        'application/json': {
          schema: {
            properties: {
              finishedAt: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] },
            },
          },
        },
      },
    });
    // Every field named …At, anywhere in the document (outputs, byte routes, components; arrays by index).
    const undated: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (typeof node !== 'object' || node === null) return;
      for (const [key, value] of Object.entries(node)) {
        if (/[a-z]At$/.test(key) && !JSON.stringify(value).includes('"date-time"'))
          undated.push(`${at}/${key}`);
        walk(value, `${at}/${key}`);
      }
    };
    walk(document, '');
    expect(undated).toEqual([]);
  });

  it('describes the error body the server really answers', async () => {
    const answer = await fetch(`${server.url}/api/files`);
    expect(answer.status).toBe(401);
    expect(ZErrorBody.safeParse(await answer.json()).success).toBe(true);
  });

  it('passes redocly lint', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'docrpc-openapi-'));
    try {
      const file = path.join(dir, 'openapi.json');
      await writeFile(file, JSON.stringify(document));
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          'node_modules/@redocly/cli/bin/cli.js',
          'lint',
          file,
          '--config',
          'redocly.yaml',
          '--format',
          'json',
        ],
        { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
      );
      const report = JSON.parse(stdout) as {
        totals: { errors: number; warnings: number };
        problems: unknown[];
      };
      expect(report.problems).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
