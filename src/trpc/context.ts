// What every tRPC procedure receives: the services' dependencies, who is calling (resolved by the auth
// middleware), the request's id and transport.
import type { AppDeps, Caller, ClientInfo } from '../deps.js';
import type { Logger } from '../logger.js';
import type { SubscriptionSlots } from './middlewares/subscription-slots.js';

export interface Context {
  deps: AppDeps;
  /** Null until the auth middleware has checked the credentials. */
  caller: Caller | null;
  /** The bearer token the request presented (Authorization header, or WebSocket connectionParams). */
  bearer: string | null;
  client: ClientInfo;
  /** The typed client's upload metadata (`x-docrpc-upload`, base64url JSON) for file.upload. */
  uploadMeta: string | null;
  /** The WebSocket connection's bound on live subscriptions; null over HTTP (one SSE stream per request). */
  subscriptionSlots: SubscriptionSlots | null;

  requestId: string;
  logger: Logger;
  transport: 'http' | 'ws';
}
