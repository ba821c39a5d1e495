// What every procedure receives: the app's dependencies, the caller (null until auth lands) and the request's id.
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { DatabaseKind } from '../db/provision.js';
import type { Logger } from '../logger.js';

/** Everything services need, passed explicitly (no globals): db, config, logger, clock. */
export interface AppDeps {
  db: Database;
  config: Config;
  logger: Logger;
  databaseKind: DatabaseKind;
  startedAt: Date;
  now(): Date;
}

/** The authenticated caller. Filled by the auth module; the shape other modules may rely on. */
export interface Caller {
  id: string;
  role: 'user' | 'admin';
}

export interface Context {
  deps: AppDeps;
  caller: Caller | null;
  requestId: string;
  logger: Logger;
  transport: 'http' | 'ws';
}
