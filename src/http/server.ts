// The node:http server: request id, timing, CORS, compression and one log line per request, in front of
// /trpc (HTTP and WebSocket), the REST adapter (/api, /openapi.json, /docs), the byte routes, /health and /ready.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AnyTRPCRouter } from '@trpc/server';
import compression from 'compression';
import cors from 'cors';
import onHeaders from 'on-headers';
import type { Config } from '../config.js';
import type { AppDeps } from '../deps.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { DOCS_PATH, handleDocs } from './docs-page.js';
import { DOCUMENT_TEXT_PATH, handleDocumentText } from './document-routes.js';
import { sendError } from './error-body.js';
import { FILE_CONTENT_PATH, handleContent, handleUpload } from './file-routes.js';
import { type ReadinessCheck, sendHealth, sendReadiness } from './health.js';
import { handleTokenRequest, OAUTH_TOKEN_PATH } from './oauth-token.js';
import { buildOpenApiDocument, OPENAPI_PATH } from './openapi-document.js';
import { attachRequestMeta, type RequestMeta, requestMetaOf } from './request-meta.js';
import { createRestHandler } from './rest-handler.js';
import { handleTaskEvents, TASK_EVENTS_PATH } from './task-events.js';

import { createContextFactory } from './trpc-context.js';
import { logCallError } from './trpc-error-log.js';
import { createTrpcHttpHandler } from './trpc-http.js';
import { attachWebSocket } from './websocket.js';

const TRPC_PATH = '/trpc';
const API_PATH = '/api';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

export interface HttpServer {
  listen(): Promise<AddressInfo>;
  /** Stops accepting, lets in-flight requests finish (bounded by SHUTDOWN_TIMEOUT_MS), closes sockets. */
  close(): Promise<void>;
}

export function createHttpServer(args: {
  config: Config;
  logger: Logger;
  router: AnyTRPCRouter;
  deps: AppDeps;
  readinessChecks: ReadinessCheck[];
}): HttpServer {
  const { config, logger, router } = args;
  const createContext = createContextFactory(args.deps);
  const trpcHandler = createTrpcHttpHandler({
    router,
    basePath: TRPC_PATH,
    // Streamed uploads through the typed client may be as large as an upload may be; JSON calls may not.
    // An upload's own limit (the blob store's, FILE_TOO_LARGE) must trip before this transport backstop,
    // which can only say VALIDATION_ERROR: one byte of headroom lets the store see the byte too many.
    maxBodySize: (path) =>
      path === 'file.upload' ? config.files.maxUploadBytes + 1 : config.maxRequestBytes,
    maxBatchSize: config.maxBatchSize,
    createContext: (req, connectionParams) => createContext({ req, connectionParams }, 'http'),

    onError: (opts) => logCallError(logger, opts),
    onShortRoad: (req) => {
      if (logger.isLevelEnabled('debug'))
        logger.debug({ requestId: requestMetaOf(req).requestId }, 'single query');
    },
  });
  const httpContext = (req: IncomingMessage) => createContext({ req }, 'http');
  const onCallError: Parameters<typeof logCallError>[1] extends infer O ? (opts: O) => void : never = (
    opts,
  ) => logCallError(logger, opts);
  const restHandler = createRestHandler({
    router,
    maxBodyBytes: config.maxRequestBytes,
    createContext: httpContext,
    onError: onCallError,
  });
  // Aborted by close(): long-lived responses (task event streams) end at once instead of holding the drain.
  const closing = new AbortController();
  const taskEvents = {
    router,
    heartbeatMs: config.sseHeartbeatMs,
    closing: closing.signal,
    createContext: httpContext,
    onError: onCallError,
  };
  let openApiJson: Buffer | undefined;
  const allowCors = toPromise(
    cors({
      origin: (origin, callback) =>
        callback(null, origin !== undefined && config.corsOrigins.includes(origin)),
      credentials: true,
      maxAge: 600,
      exposedHeaders: ['X-Request-ID', 'Server-Timing', 'Location', 'Retry-After'],
    }) as Middleware,
  );
  const compress = toPromise(
    compression({
      threshold: 1024,
      // Event streams must reach the caller as they are written, never held back by a compressor.
      filter: (req, res) =>
        !String(res.getHeader('content-type') ?? '').startsWith('text/event-stream') &&
        compression.filter(req, res),
    }) as Middleware,
  );

  let shuttingDown = false;
  const inFlight = new Set<ServerResponse>();

  const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const meta = attachRequestMeta(req);
    res.setHeader('X-Request-ID', meta.requestId);
    onHeaders(res, () => res.setHeader('Server-Timing', `app;dur=${elapsedMs(meta)}`));
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      logRequest(logger, req, res, meta);
    });
    if (shuttingDown) res.setHeader('Connection', 'close');
    // What a route did not answer itself: logged in full as an internal error, masked for the caller.
    route(req, res).catch((error: unknown) => sendError(res, error, meta.requestId, logger));
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    if (pathname === '/health') return sendHealth(res);
    if (pathname === '/ready') return sendReadiness(res, args.readinessChecks, shuttingDown);
    if (pathname === '/files' || pathname.startsWith('/files/')) {
      if (req.headers.origin) await allowCors(req, res);
      if (req.method === 'OPTIONS' || res.writableEnded) return endPreflight(res);
      const url = new URL(req.url ?? '/', 'http://localhost');
      try {
        const content = FILE_CONTENT_PATH.exec(pathname);
        if (pathname === '/files' && req.method === 'POST')
          return await handleUpload(args.deps, req, res, url);
        if (content?.[1] && (req.method === 'GET' || req.method === 'HEAD')) {
          return await handleContent(args.deps, req, res, url, content[1]);
        }
        throw new AppError('RESOURCE_NOT_FOUND', `No route for ${req.method} ${pathname}`);
      } catch (error) {
        // A refused upload may still be arriving: do not read the rest, end the connection after answering.
        if (!res.headersSent) res.setHeader('connection', 'close');
        return sendError(res, error, requestMetaOf(req).requestId, logger);
      }
    }
    if (pathname.startsWith('/documents/')) {
      if (req.headers.origin) await allowCors(req, res);
      if (req.method === 'OPTIONS' || res.writableEnded) return endPreflight(res);
      const text = DOCUMENT_TEXT_PATH.exec(pathname);
      if (text?.[1] && (req.method === 'GET' || req.method === 'HEAD')) {
        return handleDocumentText(args.deps, req, res, text[1]);
      }
      throw new AppError('RESOURCE_NOT_FOUND', `No route for ${req.method} ${pathname}`);
    }
    if (pathname === API_PATH || pathname.startsWith(`${API_PATH}/`) || pathname === OPENAPI_PATH) {
      if (req.headers.origin) await allowCors(req, res);
      if (req.method === 'OPTIONS' || res.writableEnded) return endPreflight(res);
      if (/\b(gzip|br)\b/.test(req.headers['accept-encoding'] ?? '')) await compress(req, res);
      // The REST routes that are no procedure, then the procedures' own (rest-handler.ts).
      if (pathname === OPENAPI_PATH) {
        openApiJson ??= Buffer.from(JSON.stringify(buildOpenApiDocument(router)));
        return sendOpenApi(res, openApiJson);
      }
      if (pathname === OAUTH_TOKEN_PATH) return handleTokenRequest(req, res, httpContext, logger);
      const url = new URL(req.url ?? '/', 'http://localhost');
      const events = TASK_EVENTS_PATH.exec(pathname);
      if (events?.[1]) return handleTaskEvents(taskEvents, req, res, url, events[1]);
      return restHandler(req, res, url);
    }
    if (pathname === DOCS_PATH || pathname.startsWith(`${DOCS_PATH}/`)) {
      if (/\b(gzip|br)\b/.test(req.headers['accept-encoding'] ?? '')) await compress(req, res);
      return handleDocs(req, res, pathname);
    }
    if (pathname === TRPC_PATH || pathname.startsWith(`${TRPC_PATH}/`)) {
      // Both only matter for browsers and compressing clients; skipping them saves every other call the work.
      if (req.headers.origin) await allowCors(req, res);
      if (req.method === 'OPTIONS' || res.writableEnded) return endPreflight(res);
      if (/\b(gzip|br)\b/.test(req.headers['accept-encoding'] ?? '')) await compress(req, res);

      return trpcHandler(req, res);
    }
    const notFound = new AppError('RESOURCE_NOT_FOUND', `No route for ${pathname}`);
    sendError(res, notFound, requestMetaOf(req).requestId, logger);
  }

  const websocket = attachWebSocket({
    server,
    path: TRPC_PATH,
    router,
    createContext,
    logger,
    maxPayloadBytes: config.maxRequestBytes,
    // tRPC's WebSocket client resends every live subscription in one message when it reconnects: a
    // message may carry as many calls as the socket may hold subscriptions.
    maxBatchSize: Math.max(config.maxBatchSize, config.webSocket.maxSubscriptionsPerConnection),
    maxSubscriptionsPerConnection: config.webSocket.maxSubscriptionsPerConnection,
    authTimeoutMs: config.webSocket.authTimeoutMs,
  });

  return {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    async close() {
      shuttingDown = true;
      closing.abort();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.all([
        websocket.close(config.shutdownTimeoutMs),
        drain(inFlight, config.shutdownTimeoutMs),
      ]);
      // Whatever is still open (a client that never reads its response) is cut now.
      server.closeAllConnections();
      await stopped;
    },
  };
}

function sendOpenApi(res: ServerResponse, body: Buffer): void {
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': body.length,
    'cache-control': 'no-cache',
  });
  res.end(body);
}

/** cors answers allowed preflights itself; anything else asked with OPTIONS gets an empty 204. */
function endPreflight(res: ServerResponse): void {
  if (!res.writableEnded) res.writeHead(204, { 'content-length': 0 }).end();
}

async function drain(inFlight: Set<ServerResponse>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (inFlight.size > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function toPromise(middleware: Middleware) {
  return (req: IncomingMessage, res: ServerResponse) =>
    new Promise<void>((resolve, reject) =>
      middleware(req, res, (error) => (error ? reject(error) : resolve())),
    );
}

function elapsedMs(meta: RequestMeta): number {
  return Math.round((performance.now() - meta.startedAt) * 100) / 100;
}

function logRequest(logger: Logger, req: IncomingMessage, res: ServerResponse, meta: RequestMeta): void {
  const url = req.url ?? '/';
  const pathname = url.split('?')[0] ?? '/';
  const procedure = pathname.startsWith(`${TRPC_PATH}/`) ? pathname.slice(TRPC_PATH.length + 1) : undefined;
  logger.info(
    {
      requestId: meta.requestId,
      method: req.method,
      path: pathname,
      ...(procedure ? { procedure } : {}),
      status: res.statusCode,
      ms: elapsedMs(meta),
      ...(res.writableFinished ? {} : { aborted: true }),
    },
    'request',
  );
}
