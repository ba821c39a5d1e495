// Builds the tRPC context for a call over HTTP or WebSocket from the request the HTTP layer tagged.
import type { IncomingMessage } from 'node:http';
import type { AppDeps, Context } from '../trpc/context.js';
import { requestMetaOf } from './request-meta.js';

export type ContextFactory = (opts: { req: IncomingMessage }, transport: Context['transport']) => Context;

export function createContextFactory(deps: AppDeps): ContextFactory {
  return ({ req }, transport) => {
    const { requestId } = requestMetaOf(req);
    return {
      deps,
      caller: null,
      requestId,
      logger: deps.logger.child({ requestId }),
      transport,
    };
  };
}
