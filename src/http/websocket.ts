// tRPC over WebSocket on the same port and path as HTTP (/trpc), for subscriptions and low-latency calls.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AnyTRPCRouter } from '@trpc/server';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';
import type { Logger } from '../logger.js';
import { attachRequestMeta } from './request-meta.js';
import type { ContextFactory } from './trpc-context.js';
import { logCallError } from './trpc-error-log.js';

export interface WebSocketEndpoint {
  /** Tells clients to reconnect elsewhere, then closes every socket (with a grace period). */
  close(graceMs: number): Promise<void>;
}

export function attachWebSocket(args: {
  server: Server;
  path: string;
  router: AnyTRPCRouter;
  createContext: ContextFactory;
  logger: Logger;
  maxPayloadBytes: number;
}): WebSocketEndpoint {
  const { server, path, logger } = args;
  const wss = new WebSocketServer({ noServer: true, maxPayload: args.maxPayloadBytes });
  const handler = applyWSSHandler({
    wss,
    router: args.router,
    createContext: ({ req, info }) =>
      args.createContext({ req, connectionParams: info.connectionParams }, 'ws'),

    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 5_000 },
    onError: (opts) => logCallError(logger, opts),
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
      wss.emit('connection', ws, req);
    });
  });

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
