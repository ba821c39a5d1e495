// tRPC over WebSocket on the same port and path as HTTP (/trpc), for subscriptions and low-latency calls.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AnyTRPCRouter, TRPCError } from '@trpc/server';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import { authenticate } from '../auth/authenticate.js';
import type { Logger } from '../logger.js';
import { createSubscriptionSlots } from '../trpc/middlewares/subscription-slots.js';
import { attachRequestMeta, requestMetaOf } from './request-meta.js';
import type { ContextFactory } from './trpc-context.js';
import { logCallError } from './trpc-error-log.js';

export interface WebSocketEndpoint {
  /** Tells clients to reconnect elsewhere, then closes every socket (with a grace period). */
  close(graceMs: number): Promise<void>;
}

/** Close code for a connection that did not authenticate in time (4000-4999: for applications). */
export const WS_CLOSE_AUTH_TIMEOUT = 4408;

export function attachWebSocket(args: {
  server: Server;
  path: string;
  router: AnyTRPCRouter;
  createContext: ContextFactory;
  logger: Logger;
  maxPayloadBytes: number;
  /** Calls one message may batch; a larger batch has every call answered with a 400, none run. */
  maxBatchSize: number;
  maxSubscriptionsPerConnection: number;
  authTimeoutMs: number;
}): WebSocketEndpoint {
  const { server, path, logger } = args;
  const wss = new WebSocketServer({ noServer: true, maxPayload: args.maxPayloadBytes });
  // Each connection's auth deadline, stopped once a credential it presented authenticates.
  const authDeadlines = new WeakMap<IncomingMessage, NodeJS.Timeout>();
  const frameWarnings = throttledWarnings(logger, FRAME_WARNINGS_PER_WINDOW, FRAME_WARNING_WINDOW_MS);
  const handler = applyWSSHandler({
    wss,
    router: args.router,
    createContext: ({ req, info }) => {
      const ctx = args.createContext(
        {
          req,
          connectionParams: info.connectionParams,
          subscriptionSlots: createSubscriptionSlots(args.maxSubscriptionsPerConnection),
        },
        'ws',
      );
      if (ctx.bearer) {
        authenticate(ctx.deps, ctx.bearer).then(
          () => clearTimeout(authDeadlines.get(req)),
          () => {}, // each call is refused on its own; the deadline closes the socket
        );
      }
      return ctx;
    },

    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 5_000 },
    maxBatchSize: args.maxBatchSize,
    onError: (opts) => {
      if (isClientFrameError(opts.error)) {
        frameWarnings({
          requestId: requestMetaOf(opts.req).requestId,
          transport: 'ws',
          reason: opts.error.message,
        });
        return;
      }
      logCallError(logger, opts);
    },
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // node:http hands over an upgraded socket with no 'error' listener, and ws adds its own only while it
    // handshakes: a client resetting the connection must not end the process, before, during or after.
    socket.on('error', (error) => {
      logger.debug({ err: error, transport: 'ws' }, 'upgrade socket error');
      socket.destroy();
    });
    const pathname = (req.url ?? '').split('?')[0];
    if (pathname !== path && pathname !== `${path}/`) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const { requestId } = attachRequestMeta(req);
    wss.handleUpgrade(req, socket, head, (ws) => {
      logger.info({ requestId, transport: 'ws' }, 'ws connected');
      ws.once('close', (code) => logger.info({ requestId, transport: 'ws', code }, 'ws closed'));
      startAuthDeadline(ws, req, requestId);
      wss.emit('connection', ws, req);
    });
  });

  function startAuthDeadline(ws: WebSocket, req: IncomingMessage, requestId: string) {
    const deadline = setTimeout(() => {
      logger.info({ requestId, transport: 'ws' }, 'ws closed: no credential authenticated in time');
      ws.close(WS_CLOSE_AUTH_TIMEOUT, 'authentication timeout');
    }, args.authTimeoutMs);
    deadline.unref();
    authDeadlines.set(req, deadline);
    ws.once('close', () => clearTimeout(deadline));
  }

  return {
    async close(graceMs) {
      handler.broadcastReconnectNotification();
      const closed = new Promise<void>((resolve) => wss.close(() => resolve()));
      for (const ws of wss.clients) ws.close(1001, 'server shutting down');
      const timer = setTimeout(() => {
        for (const ws of wss.clients) ws.terminate();
      }, graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

const FRAME_WARNINGS_PER_WINDOW = 10;
const FRAME_WARNING_WINDOW_MS = 60_000;

/**
 * A frame `ws` could not read (bad opcode, RSV bits, invalid UTF-8, over maxPayload): the client's fault,
 * and ws closes that socket itself. tRPC reports it as an internal error; it is not one.
 */
function isClientFrameError(error: TRPCError): boolean {
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('WS_ERR_');
}

/**
 * At most `max` warn lines per window, whatever clients send: a flood of bad frames must not become a
 * flood of log lines. The first line after a quiet window says how many were left out.
 */
function throttledWarnings(logger: Logger, max: number, windowMs: number) {
  let windowStart = 0;
  let written = 0;
  let suppressed = 0;
  return (fields: Record<string, unknown>) => {
    const now = Date.now();
    if (now - windowStart >= windowMs) {
      windowStart = now;
      written = 0;
    }
    if (written >= max) {
      suppressed++;
      return;
    }
    written++;
    logger.warn({ ...fields, ...(suppressed > 0 ? { suppressed } : {}) }, 'ws malformed frame');
    suppressed = 0;
  };
}
