// Per-process memory of the session rows authenticate() checks on every signed-in call, so that check
// costs no query. Revocation stays instant:
// - triggers on sessions and users NOTIFY every change that can end a session (migration 0004), from any
//   process or from psql, and each process forgets what they name as soon as the notification arrives;
// - the process that makes a change forgets it itself before answering (forgetSession/forgetUser), so its
//   own next request never waits for the notification;
// - memory is used only while the notification hub is current: if the LISTEN connection is down or lagging
//   by more than its maxLag, every call reads the database as if there were no cache;
// - a read that raced an invalidation is answered but not kept (the generation counter).
import { LRUCache } from 'lru-cache';
import type { Database } from '../db/client.js';
import type { NotificationHub } from '../db/notifications.js';
import { findSessionCaller } from './queries.js';

const AUTH_CHANNEL = 'docrpc_auth';

export type SessionCallerRow = NonNullable<Awaited<ReturnType<typeof findSessionCaller>>>;

export interface SessionCache {
  /** The session's row with its user's columns, or undefined if no such session of that user exists. */
  find(userId: string, sessionId: string): Promise<SessionCallerRow | undefined>;
  forgetSession(sessionId: string): void;
  forgetUser(userId: string): void;
}

const MAX_ENTRIES = 10_000;
// Not needed for correctness (notifications are): a bound on how long a bug in them could go unnoticed.
const ENTRY_TTL_MS = 60_000;

interface Entry {
  userId: string;
  row: SessionCallerRow;
}

/** Without a hub (a process that does not listen) every call reads the database. */
export async function startSessionCache(db: Database, hub: NotificationHub | null): Promise<SessionCache> {
  // Which cached sessions belong to a user, so a change to the user forgets them without a scan.
  const byUser = new Map<string, Set<string>>();
  const entries = new LRUCache<string, Entry>({
    max: MAX_ENTRIES,
    ttl: ENTRY_TTL_MS,
    dispose: (entry, sessionId) => {
      const sessions = byUser.get(entry.userId);
      sessions?.delete(sessionId);
      if (sessions?.size === 0) byUser.delete(entry.userId);
    },
  });
  let generation = 0;

  const remember = (sessionId: string, entry: Entry) => {
    entries.set(sessionId, entry);
    let sessions = byUser.get(entry.userId);
    if (!sessions) {
      sessions = new Set();
      byUser.set(entry.userId, sessions);
    }
    sessions.add(sessionId);
  };
  const forgetAll = () => {
    generation++;
    entries.clear();
  };
  const forgetSession = (sessionId: string) => {
    generation++;
    entries.delete(sessionId);
  };
  const forgetUser = (userId: string) => {
    generation++;
    for (const sessionId of [...(byUser.get(userId) ?? [])]) entries.delete(sessionId);
  };

  await hub?.listen(AUTH_CHANNEL, {
    onMessage(payload) {
      if (payload.startsWith('s:')) forgetSession(payload.slice(2));
      else if (payload.startsWith('u:')) forgetUser(payload.slice(2));
      else forgetAll();
    },
    onResync: forgetAll,
  });

  return {
    async find(userId, sessionId) {
      if (!hub?.isCurrent()) return findSessionCaller(db, userId, sessionId);
      const hit = entries.get(sessionId);
      if (hit) return hit.userId === userId ? hit.row : undefined;
      const readAt = generation;
      const row = await findSessionCaller(db, userId, sessionId);
      if (row && readAt === generation && hub.isCurrent()) remember(sessionId, { userId, row });
      return row;
    },
    forgetSession,
    forgetUser,
  };
}
