// SQL for admin.*: the only queries that read across users, reachable only through adminProcedure.
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { sessions, users } from '../../db/schema/index.js';

export function listUsersPage(db: Database, cursor: string | undefined, limit: number) {
  return db
    .select({
      id: users.id,
      username: users.username,
      email: users.email,
      role: users.role,
      disabled: users.disabled,
      createdAt: users.createdAt,
    })
    .from(users)
    .where(cursor ? gt(users.id, cursor) : undefined)
    .orderBy(asc(users.id))
    .limit(limit + 1);
}

/** Disabling bumps the token version and ends every session, so access stops at once. */
export async function setUserDisabled(db: Database, userId: string, disabled: boolean): Promise<boolean> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(users)
      .set({
        disabled,
        updatedAt: sql`now()`,
        ...(disabled ? { tokenVersion: sql`${users.tokenVersion} + 1` } : {}),
      })
      .where(eq(users.id, userId))
      .returning({ id: users.id });
    if (rows.length === 0) return false;
    if (disabled) {
      await tx
        .update(sessions)
        .set({ revokedAt: sql`now()`, revokedReason: 'user disabled' })
        .where(and(eq(sessions.userId, userId), sql`${sessions.revokedAt} is null`));
    }
    return true;
  });
}
