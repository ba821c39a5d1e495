// Builds the tRPC context for a call over HTTP or WebSocket from the request the HTTP layer tagged.
// Credentials are only read here; the auth middleware checks them, so public procedures never pay for it.
import type { IncomingMessage } from 'node:http';
import { bearerToken } from '../auth/bearer.js';
import type { AppDeps } from '../deps.js';
import type { Context } from '../trpc/context.js';
import type { SubscriptionSlots } from '../trpc/middlewares/subscription-slots.js';
import { requestMetaOf } from './request-meta.js';

export interface ContextSource {
  req: IncomingMessage;
  /** WebSocket only: what the client sent in `connectionParams`. */
  connectionParams?: Record<string, string | undefined> | null;
  /** WebSocket only: the connection's bound on live subscriptions. */
  subscriptionSlots?: SubscriptionSlots;
}

export type ContextFactory = (source: ContextSource, transport: Context['transport']) => Context;

export function createContextFactory(deps: AppDeps): ContextFactory {
  return ({ req, connectionParams, subscriptionSlots }, transport) => {
    const { requestId } = requestMetaOf(req);
    const userAgent = req.headers['user-agent'];
    let logger: Context['logger'] | undefined;
    return {
      deps,
      caller: null,
      bearer: bearerToken(req.headers.authorization) ?? connectionParams?.token ?? null,

      client: {
        ip: req.socket.remoteAddress ?? null,
        userAgent: typeof userAgent === 'string' ? userAgent : null,
      },
      uploadMeta: typeof req.headers['x-docrpc-upload'] === 'string' ? req.headers['x-docrpc-upload'] : null,
      subscriptionSlots: subscriptionSlots ?? null,

      requestId,
      // Made on first use: most calls log nothing of their own (the access log line is the HTTP layer's).
      get logger() {
        logger ??= deps.logger.child({ requestId });
        return logger;
      },

      transport,
    };
  };
}
