// @docrpc/client in a real browser (headless Chromium): a page on another origin (CORS allowed for it) bundles the
// client (tests/client/browser-app.ts, esbuild for the browser), signs in, uploads a Blob with uploadFile, whose
// browser path is XMLHttpRequest with upload progress events, lists files, and watches a task over the WebSocket.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { appClient, registerUser, type TestUser } from '../helpers/auth.js';
import { launchBrowser, recordPage } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import type { BrowserApp, BrowserRunInput, BrowserRunResult } from './browser-app.js';

const SIZE = 6 * 1024 * 1024;
const UPLOAD_BYTES_PER_SECOND = 8 * 1024 * 1024;

let server: TestServer<AppRouter>;
let user: TestUser;
let browser: Browser;
let site: http.Server;
let siteOrigin: string;

/** The page's origin: a static server on its own port, serving the page and the bundled app. */
async function startSite(bundle: string): Promise<http.Server> {
  const page =
    '<!doctype html><meta charset="utf-8"><title>app</title><link rel="icon" href="data:,"><script type="module" src="/app.js"></script>';
  const files: Record<string, [string, string]> = {
    '/': ['text/html; charset=utf-8', page],
    '/app.js': ['text/javascript; charset=utf-8', bundle],
  };
  const siteServer = http.createServer((req, res) => {
    const file = files[req.url ?? ''];
    if (!file) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
  });
  await new Promise<void>((resolve) => siteServer.listen(0, '127.0.0.1', resolve));
  return siteServer;
}

beforeAll(async () => {
  const bundled = await build({
    entryPoints: [path.resolve(import.meta.dirname, 'browser-app.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  site = await startSite(bundled.outputFiles[0]?.text ?? '');
  siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  [server, browser] = await Promise.all([
    startTestServer({ env: { CORS_ORIGINS: siteOrigin } }),
    launchBrowser(),
  ]);
  user = await registerUser(server);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((resolve) => site?.close(resolve));
});

describe('@docrpc/client in a browser', () => {
  it('uploads a Blob over XMLHttpRequest with rising progress to its size, lists it, and watches a task over the WebSocket', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    const record = recordPage(page);
    const uploadRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/trpc/file.upload')) uploadRequests.push(request.resourceType());
    });
    // Loopback takes a few MB in one go (one progress event, at the end): at DevTools' emulated upload speed the
    // upload lasts long enough for Chromium to report it in steps, as on a real network.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: UPLOAD_BYTES_PER_SECOND,
    });
    try {
      await page.goto(`${siteOrigin}/`);
      await page.waitForFunction(() => 'docrpcTest' in globalThis);
      const input: BrowserRunInput = {
        url: server.url,
        login: user.username,
        password: user.password,
        size: SIZE,
      };
      const result: BrowserRunResult = await page.evaluate(
        (runInput) => (globalThis as unknown as { docrpcTest: BrowserApp }).docrpcTest.run(runInput),
        input,
      );

      console.info(`browser upload of ${SIZE} bytes: ${result.progress.length} progress reports`);
      expect(uploadRequests).toEqual(['xhr']); // the browser path, not a streamed fetch
      const sent = result.progress.map((p) => p.sent);
      expect(new Set(sent).size).toBeGreaterThan(1); // reported in steps, not only once at the end
      expect(sent).toEqual([...sent].sort((a, b) => a - b));
      expect(result.progress.at(-1)).toEqual({ sent: SIZE, total: SIZE });
      expect(result.uploaded).toMatchObject({ name: 'browser.txt', size: SIZE });
      expect(result.listed).toContainEqual(result.uploaded);
      // The server's own record, read apart from the browser.
      const stored = await appClient(server.url, user.session.accessToken).file.get.query({
        id: result.uploaded.id,
      });
      expect(stored).toMatchObject({ name: 'browser.txt', size: SIZE });

      const states = result.task.states;
      expect(states.at(-1)).toEqual({ status: 'succeeded', progress: 100 });
      const percents = states.map((s) => s.progress);
      expect(percents).toEqual([...percents].sort((a, b) => a - b));
      expect(record.requests.some((url) => url.startsWith(`${server.url.replace(/^http/, 'ws')}/trpc`))).toBe(
        true,
      );

      expect(record.errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
