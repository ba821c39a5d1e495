// A headless Chromium for tests that need a real browser: Debian's /usr/bin/chromium (installed by .ci/run)
// driven by playwright-core, which downloads no browser of its own.
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH });
}

export interface PageRecord {
  /** Every URL the page asked for, in order (documents, scripts, XHR/fetch, WebSockets). */
  requests: string[];
  /** Console errors and uncaught exceptions, as text. */
  errors: string[];
}

/** Records what a page asks for and what goes wrong in it, from before its first navigation. */
export function recordPage(page: Page): PageRecord {
  const record: PageRecord = { requests: [], errors: [] };
  page.on('request', (request) => record.requests.push(request.url()));
  page.on('websocket', (socket) => record.requests.push(socket.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') record.errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => record.errors.push(`page: ${error.message}`));
  return record;
}
