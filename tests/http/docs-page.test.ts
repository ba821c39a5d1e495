// /docs: Swagger UI from the npm package's own files, nothing from another origin, pointing at /openapi.json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<AppRouter>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const EXPECTED_TYPES: Record<string, RegExp> = {
  '.css': /^text\/css/,
  '.js': /^text\/javascript/,
  '.png': /^image\/png$/,
};

describe('/docs', () => {
  it('serves a page whose every script, style and icon is on this origin, and is allowed only this origin', async () => {
    const response = await fetch(`${server.url}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const html = await response.text();
    expect(html).not.toMatch(/https?:\/\//);
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(references.length).toBe(4);
    for (const reference of references) {
      expect(reference).toMatch(/^\/docs\/[^/]/);
      const asset = await fetch(`${server.url}${reference}`, { headers: { 'accept-encoding': 'gzip' } });
      expect(asset.status, reference).toBe(200);
      const extension = reference.slice(reference.lastIndexOf('.'));
      expect(asset.headers.get('content-type'), reference).toMatch(EXPECTED_TYPES[extension] ?? /^$/);
      const body = await asset.text();
      if (reference.endsWith('/init.js')) {
        expect(asset.headers.get('cache-control')).toBe('no-cache');
        expect(body).toContain('url: "/openapi.json"');
        // Swagger UI's default validator badge would send the document to another site.
        expect(body).toContain('validatorUrl: null');
      } else {
        expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      }
      if (extension === '.css') expect(body).not.toMatch(/url\(\s*['"]?(https?:)?\/\//);
    }
  });

  it('compresses the large bundle for clients that accept it', async () => {
    const html = await (await fetch(`${server.url}/docs`)).text();
    const bundle = /src="([^"]+swagger-ui-bundle\.js)"/.exec(html)?.[1] ?? '';
    const response = await fetch(`${server.url}${bundle}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(response.headers.get('content-encoding')).toBe('gzip');
  });

  it('answers 404 for files the package has but the page does not use', async () => {
    const html = await (await fetch(`${server.url}/docs/`)).text();
    const prefix = /href="(\/docs\/assets\/[^/]+\/)/.exec(html)?.[1] ?? '';
    expect(prefix).not.toBe('');
    for (const name of ['package.json', 'index.html', '../package.json', 'swagger-ui-bundle.js.map']) {
      const response = await fetch(`${server.url}${prefix}${name}`);
      expect(response.status, name).toBe(404);
    }
  });
});
