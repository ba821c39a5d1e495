// SQL of the files module. Every query names the owner; deleted (soft) rows are invisible to callers.
import { and, asc, desc, eq, ilike, isNull, type SQL, sql } from 'drizzle-orm';
import { blobs, files, users } from '../../db/schema/index.js';
import type { Db } from '../auth/queries.js';

export const fileColumns = {
  id: files.id,
  name: files.name,
  mime: files.mime,
  size: files.size,
  sha256: files.sha256,
  tags: files.tags,
  createdAt: files.createdAt,
  updatedAt: files.updatedAt,
};

const live = (ownerId: string) => and(eq(files.ownerId, ownerId), isNull(files.deletedAt));

/** Serialises one owner's uploads and deletes, so quota checks see every committed byte. */
export async function lockOwner(db: Db, ownerId: string): Promise<void> {
  await db.select({ id: users.id }).from(users).where(eq(users.id, ownerId)).for('update');
}

export async function usedBytes(db: Db, ownerId: string): Promise<number> {
  const [row] = await db
    .select({ bytes: sql<string>`coalesce(sum(${files.size}), 0)` })
    .from(files)
    .where(live(ownerId));
  return Number(row?.bytes ?? 0);
}

/** Uploads and deletes of the same content take this lock before touching the blob on disk. */
export async function lockBlobKey(db: Db, key: string): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
}

export async function addBlobReference(db: Db, key: string, size: number): Promise<void> {
  await db
    .insert(blobs)
    .values({ key, size, refCount: 1 })
    .onConflictDoUpdate({ target: blobs.key, set: { refCount: sql`${blobs.refCount} + 1` } });
}

/** Returns true when that was the last reference (the row is gone and the bytes may go). */
export async function dropBlobReference(db: Db, key: string): Promise<boolean> {
  const [row] = await db
    .update(blobs)
    .set({ refCount: sql`${blobs.refCount} - 1` })
    .where(eq(blobs.key, key))
    .returning({ refCount: blobs.refCount });
  if (!row || row.refCount > 0) return false;
  await db.delete(blobs).where(eq(blobs.key, key));
  return true;
}

export async function insertFile(
  db: Db,
  values: { ownerId: string; name: string; mime: string; size: number; sha256: string; tags: string[] },
) {
  const [row] = await db.insert(files).values(values).returning(fileColumns);
  if (!row) throw new Error('insert into files returned nothing');
  return row;
}

export async function findFile(db: Db, ownerId: string, id: string) {
  const [row] = await db
    .select(fileColumns)
    .from(files)
    .where(and(live(ownerId), eq(files.id, id)));
  return row;
}

export interface FileListQuery {
  limit: number;
  sort: 'newest' | 'oldest';
  tag?: string | undefined;
  q?: string | undefined;
  mime?: string | undefined;
  /** The created_at (as Postgres text, microseconds intact) and id of the last row already seen. */
  after?: { createdAt: string; id: string } | undefined;
}

/** Keyset pagination on (created_at, id): stable under concurrent inserts, no OFFSET. */
export function listFiles(db: Db, ownerId: string, query: FileListQuery) {
  const filters: (SQL | undefined)[] = [live(ownerId)];
  if (query.tag) filters.push(sql`${files.tags} @> array[${query.tag}]::text[]`);
  if (query.q) filters.push(ilike(files.name, `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  if (query.mime) filters.push(eq(files.mime, query.mime));
  if (query.after) {
    const { createdAt, id } = query.after;
    filters.push(
      query.sort === 'newest'
        ? sql`(${files.createdAt}, ${files.id}) < (${createdAt}::timestamptz, ${id}::uuid)`
        : sql`(${files.createdAt}, ${files.id}) > (${createdAt}::timestamptz, ${id}::uuid)`,
    );
  }
  const order =
    query.sort === 'newest' ? [desc(files.createdAt), desc(files.id)] : [asc(files.createdAt), asc(files.id)];
  return db
    .select({ ...fileColumns, cursorCreatedAt: sql<string>`${files.createdAt}::text` })
    .from(files)
    .where(and(...filters))
    .orderBy(...order)
    .limit(query.limit + 1);
}

export async function updateFile(
  db: Db,
  ownerId: string,
  id: string,
  values: { name?: string; tags?: string[] },
) {
  const [row] = await db
    .update(files)
    .set({ ...values, updatedAt: sql`now()` })
    .where(and(live(ownerId), eq(files.id, id)))
    .returning(fileColumns);
  return row;
}

/** Marks the file deleted and returns its blob key, or undefined when there is no such live file. */
export async function softDeleteFile(db: Db, ownerId: string, id: string) {
  const [row] = await db
    .update(files)
    .set({ deletedAt: sql`now()` })
    .where(and(live(ownerId), eq(files.id, id)))
    .returning({ sha256: files.sha256 });
  return row?.sha256;
}
