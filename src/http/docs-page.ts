// /docs: Swagger UI over /openapi.json, served from the swagger-ui-dist package's own files (nothing from a
// CDN; the page's Content-Security-Policy allows this origin only). Its Authorize button signs in through
// the OAuth2 password flow the document declares (POST /api/auth/token) or takes a Bearer token.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AppError } from '../errors.js';
import { OPENAPI_PATH } from './openapi-document.js';

export const DOCS_PATH = '/docs';

const require = createRequire(import.meta.url);
const distDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const version = (require('swagger-ui-dist/package.json') as { version: string }).version;
// Versioned paths: an asset's URL changes with the package, so browsers may keep it for a year.
const ASSET_PREFIX = `${DOCS_PATH}/assets/${version}/`;

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(OPENAPI_PATH)},
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: true,
  // Swagger UI would otherwise send the document to validator.swagger.io for a badge.
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>docrpc API</title>
  <link rel="icon" type="image/png" href="${ASSET_PREFIX}favicon-32x32.png">
  <link rel="stylesheet" href="${ASSET_PREFIX}swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="${ASSET_PREFIX}swagger-ui-bundle.js"></script>
  <script src="${DOCS_PATH}/init.js"></script>
</body>
</html>
`;

// Swagger UI sets inline styles; everything else (scripts, the document, the token endpoint) is this origin.
const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; " +
  "base-uri 'none'; frame-ancestors 'none'";

const loaded = new Map<string, Promise<Buffer>>();

export async function handleDocs(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    throw new AppError('RESOURCE_NOT_FOUND', `No route for ${req.method} ${pathname}`);
  }
  if (pathname === DOCS_PATH || pathname === `${DOCS_PATH}/`) {
    return send(res, Buffer.from(PAGE), 'text/html; charset=utf-8', 'no-cache', {
      'content-security-policy': CSP,
    });
  }
  if (pathname === `${DOCS_PATH}/init.js`) {
    return send(res, Buffer.from(INIT_SCRIPT), 'text/javascript; charset=utf-8', 'no-cache');
  }
  const name = pathname.startsWith(ASSET_PREFIX) ? pathname.slice(ASSET_PREFIX.length) : '';
  const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!type) throw new AppError('RESOURCE_NOT_FOUND', `No route for ${pathname}`);
  let bytes = loaded.get(name);
  if (!bytes) {
    bytes = readFile(path.join(distDir, name));
    loaded.set(name, bytes);
  }
  send(res, await bytes, type, 'public, max-age=31536000, immutable');
}

function send(
  res: ServerResponse,
  body: Buffer,
  type: string,
  cacheControl: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(200, {
    'content-type': type,
    'content-length': body.length,
    'cache-control': cacheControl,
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(body);
}
