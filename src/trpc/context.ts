// What every procedure receives: the app's dependencies, who is calling (resolved by authedProcedure)
// and the request's id.
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { DatabaseKind } from '../db/provision.js';
import type { ProgressBus } from '../jobs/progress.js';
import type { JobQueue } from '../jobs/queue.js';
import type { Logger } from '../logger.js';
import type { ApiScope } from '../modules/auth/scopes.js';
import type { AuthSecrets } from '../modules/auth/secrets.js';
import type { SessionCache } from '../modules/auth/session-cache.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { SubscriptionSlots } from './middlewares/subscription-slots.js';

/** Everything services need, passed explicitly (no globals): db, config, keys, logger, clock. */
export interface AppDeps {
  db: Database;
  config: Config;
  secrets: AuthSecrets;
  blobs: BlobStore;
  jobs: JobQueue;
  progress: ProgressBus;
  /** The session rows authenticate() checks, kept in memory while revocations are sure to reach it. */
  sessionCache: SessionCache;
  logger: Logger;
  databaseKind: DatabaseKind;
  startedAt: Date;
  now(): Date;
}

/** Where a call comes from, for rate limits and the session list. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

/** The authenticated caller, as authedProcedure establishes it. */
export interface Caller {
  id: string;
  role: 'user' | 'admin';
  /** A signed-in user (access token) or a script (API token). */
  kind: 'session' | 'apiToken';
  sessionId: string | null;
  apiTokenId: string | null;
  /** What an API token may do; null for a signed-in user, who may do everything their role allows. */
  scopes: ApiScope[] | null;
  /** When the access token stops being valid (sessions only): a subscription ends then. */
  expiresAt: Date | null;
}

export interface Context {
  deps: AppDeps;
  /** Null until authedProcedure has checked the credentials. */
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
