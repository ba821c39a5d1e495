// SQL of the files module. Every query names the owner; deleted (soft) rows are invisible to callers.
import { and, asc, desc, eq, ilike, isNull, type Placeholder, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { perDatabase } from '../../db/per-database.js';
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

const live = (ownerId: string | Placeholder) => and(eq(files.ownerId, ownerId), isNull(files.deletedAt));

// The read queries every file.get/file.list runs are prepared once per database handle and shape:
// drizzle otherwise rebuilds the SQL on every call (~110 µs) and postgres-js sends it unnamed, parsed and
// planned anew after an extra round trip for parameter types.

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

const findFileQuery = perDatabase((db) =>
  db
    .select(fileColumns)
    .from(files)
    .where(and(live(sql.placeholder('ownerId')), eq(files.id, sql.placeholder('id'))))
    .prepare('files_find'),
);

export async function findFile(db: Database, ownerId: string, id: string) {
  const [row] = await findFileQuery(db).execute({ ownerId, id });
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

/** Which optional parts a list query has: each combination is its own prepared statement (at most 32). */
export interface ListShape {
  sort: FileListQuery['sort'];
  tag: boolean;
  q: boolean;
  mime: boolean;
  after: boolean;
}

/** Keyset pagination on (created_at, id): stable under concurrent inserts, no OFFSET. */
export function selectListFiles(db: Database, shape: ListShape) {
  const filters: (SQL | undefined)[] = [live(sql.placeholder('ownerId'))];
  if (shape.tag) filters.push(sql`${files.tags} @> array[${sql.placeholder('tag')}]::text[]`);
  if (shape.q) filters.push(ilike(files.name, sql.placeholder('namePattern')));
  if (shape.mime) filters.push(eq(files.mime, sql.placeholder('mime')));
  if (shape.after) {
    const createdAt = sql.placeholder('afterCreatedAt');
    const id = sql.placeholder('afterId');
    filters.push(
      shape.sort === 'newest'
        ? sql`(${files.createdAt}, ${files.id}) < (${createdAt}::timestamptz, ${id}::uuid)`
        : sql`(${files.createdAt}, ${files.id}) > (${createdAt}::timestamptz, ${id}::uuid)`,
    );
  }
  const order =
    shape.sort === 'newest' ? [desc(files.createdAt), desc(files.id)] : [asc(files.createdAt), asc(files.id)];
  return db
    .select({ ...fileColumns, cursorCreatedAt: sql<string>`${files.createdAt}::text` })
    .from(files)
    .where(and(...filters))
    .orderBy(...order)
    .limit(sql.placeholder('limit'));
}

const prepareListFiles = (db: Database, shape: ListShape, name: string) =>
  selectListFiles(db, shape).prepare(name);
const listFilesQueries = perDatabase(() => new Map<string, ReturnType<typeof prepareListFiles>>());

/** The owner's live files after `query.after`, in `query.sort` order: one row more than `query.limit`. */
export function listFiles(db: Database, ownerId: string, query: FileListQuery) {
  const { sort, tag, q, mime, after } = query;
  const key = `${sort}_${tag ? 1 : 0}${q ? 1 : 0}${mime ? 1 : 0}${after ? 1 : 0}`;
  const queries = listFilesQueries(db);
  let prepared = queries.get(key);
  if (!prepared) {
    const shape = { sort, tag: Boolean(tag), q: Boolean(q), mime: Boolean(mime), after: Boolean(after) };
    prepared = prepareListFiles(db, shape, `files_list_${key}`);
    queries.set(key, prepared);
  }
  return prepared.execute({
    ownerId,
    limit: query.limit + 1,
    tag,
    namePattern: q ? `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined,
    mime,
    afterCreatedAt: after?.createdAt,
    afterId: after?.id,
  });
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
