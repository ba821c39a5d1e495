// /docs in a real browser (headless Chromium): Swagger UI loads from this origin alone with no console error, its
// Authorize button signs in through the OAuth2 password flow (POST /api/auth/token), and "Try it out" on
// GET /api/me then answers 200 with the signed-in user. What docs-page.test.ts cannot see: the CSP, the relative
// tokenUrl and the token endpoint's answer as Swagger UI itself uses them.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { registerUser, type TestUser } from '../helpers/auth.js';
import { launchBrowser, type PageRecord, recordPage } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<AppRouter>;
let user: TestUser;
let browser: Browser;
beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  user = await registerUser(server);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Swagger UI's block for one operation, found by its method and path. */
function operation(page: Page, method: string, path: string) {
  return page.locator(`.opblock-${method}`).filter({ has: page.locator(`[data-path="${path}"]`) });
}

describe('/docs in a browser', () => {
  it('loads from this origin only, signs in with the OAuth2 password flow, and Try it out answers as the user', async () => {
    const page = await browser.newPage();
    // Each step waits for what it needs; a step that never happens fails here, well inside the test's timeout.
    page.setDefaultTimeout(15_000);
    const record: PageRecord = recordPage(page);
    const origin = new URL(server.url).origin;
    try {
      const response = await page.goto(`${server.url}/docs`);
      expect(response?.status()).toBe(200);
      const me = operation(page, 'get', '/api/me');
      await me.waitFor(); // the page's scripts ran and /openapi.json was read and rendered

      await page.locator('.auth-wrapper button.authorize').click();
      const dialog = page.locator('.modal-ux');
      await dialog.locator('#oauth_username').fill(user.username);
      await dialog.locator('#oauth_password').fill(user.password);
      const tokenAnswer = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/auth/token');
      // The oauth2 scheme's own Authorize button (the bearer scheme's form has one too).
      await dialog
        .locator('.auth-container')
        .filter({ has: page.locator('#oauth_username') })
        .locator('button.authorize')
        .click();
      expect((await tokenAnswer).status()).toBe(200);
      // Swagger UI swaps the form for a Logout button once it holds a token.
      await dialog.locator('.auth-container button', { hasText: 'Logout' }).waitFor();
      await dialog.locator('button.close-modal').click();

      await me.locator('.opblock-summary').click();
      await me.locator('button.try-out__btn').click();
      const meAnswer = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/me');
      await me.locator('button.execute').click();
      const answered = await meAnswer;
      expect(answered.status()).toBe(200);
      expect(answered.request().headers().authorization).toMatch(/^Bearer \S+$/);
      // What the page shows: the live response's status and body.
      const shown = me.locator('.live-responses-table .response');
      await shown.locator('.response-col_description .highlight-code pre').waitFor();
      expect((await shown.locator('.response-col_status').textContent())?.trim()).toBe('200');
      const body = JSON.parse(
        (await shown.locator('.response-col_description .highlight-code pre').textContent()) ?? '',
      );
      expect(body).toMatchObject({ username: user.username, email: user.email });

      expect(record.errors).toEqual([]);
      expect(record.requests.length).toBeGreaterThanOrEqual(7); // page, css, bundle, init, document, token, me
      const elsewhere = record.requests.filter((url) => new URL(url).origin !== origin);
      expect(elsewhere).toEqual([]);
    } catch (error) {
      // A step that timed out says little by itself: what the page logged usually says why.
      if (record.errors.length > 0)
        throw new Error(`${error}\npage errors: ${record.errors.join('\n')}`, { cause: error });
      throw error;
    } finally {
      await page.close();
    }
  });
});
