// What services receive, independent of any transport: the app's dependencies and who is calling.
// tRPC, the HTTP routes and the WebSocket endpoint all build these; modules never see a request.

import type { AuthSecrets } from './auth/secrets.js';
import type { SessionCache } from './auth/session-cache.js';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import type { DatabaseKind } from './db/provision.js';
import type { ApiScope } from './db/schema/auth.js';
import type { Role } from './db/schema/users.js';
import type { ProgressBus } from './jobs/progress.js';
import type { JobQueue } from './jobs/queue.js';
import type { Logger } from './logger.js';
import type { BlobStore } from './storage/blob-store.js';

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

/** The authenticated caller, as the auth middleware establishes it. */
export interface Caller {
  id: string;
  role: Role;
  /** A signed-in user (access token) or a script (API token). */
  kind: 'session' | 'apiToken';
  sessionId: string | null;
  apiTokenId: string | null;
  /** What an API token may do; null for a signed-in user, who may do everything their role allows. */
  scopes: ApiScope[] | null;
  /** When the access token stops being valid (sessions only): a subscription ends then. */
  expiresAt: Date | null;
}
