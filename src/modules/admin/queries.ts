// SQL for admin.*: the only queries that read across users, reachable only through adminProcedure.
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { type Keyset, keysetAfter, keysetOrder, rowsForPage } from '../../db/keyset.js';
import { sessions, users } from '../../db/schema/index.js';

/** admin.users.list's order: by id, a stable order that needs no lookup of the cursor's row. */
const userKeyset: Keyset = { columns: [users.id], direction: 'asc' };

/** The rows of one page (rowsForPage: one extra) of every account after the id `afterId`. */
export function listUsersPage(db: Database, afterId: string | undefined, limit: number) {
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
    .where(afterId ? keysetAfter(userKeyset, sql`(${afterId}::uuid)`) : undefined)
    .orderBy(...keysetOrder(userKeyset))
    .limit(rowsForPage(limit));
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
