// SQL of the files module. Every query names the owner; deleted (soft) rows are invisible to callers.
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import { blobs, files, users } from '../../db/schema/index.js';
import { FILE_COLUMNS, type FileListQuery, listFilesSql } from './list-sql.js';

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

// The reads behind every file.get, file.list and download go straight to postgres-js, as named prepared
// statements (one per list shape, at most 32): drizzle would rebuild the SQL on every call (~110 µs) and
// then map each row through its column decoders (~110 µs per 20-row page, bench/README.md).
/** A files row as postgres-js returns it on drizzle's client: int8 and timestamps as text. */
interface FileRowText {
  id: string;
  name: string;
  mime: string;
  size: string;
  sha256: string;
  tags: string[];
  createdAt: string;
  updatedAt: string;
}

export interface FileRow extends Omit<FileRowText, 'size' | 'createdAt' | 'updatedAt'> {
  size: number;
  createdAt: Date;
  updatedAt: Date;
}

const toFileRow = (row: FileRowText): FileRow => ({
  id: row.id,
  name: row.name,
  mime: row.mime,
  size: Number(row.size),
  sha256: row.sha256,
  tags: row.tags,
  createdAt: new Date(row.createdAt),
  updatedAt: new Date(row.updatedAt),
});

const FIND_FILE_SQL = `select ${FILE_COLUMNS} from files where owner_id = $1 and deleted_at is null and id = $2`;

export async function findFile(db: Database, ownerId: string, id: string): Promise<FileRow | undefined> {
  const [row] = await db.$client.unsafe<FileRowText[]>(FIND_FILE_SQL, [ownerId, id], { prepare: true });
  return row && toFileRow(row);
}

const listFilesSqlByShape = new Map<string, string>();

export interface FilePage {
  items: FileRow[];
  /** Where the next page starts (the last item's created_at as text and id), or null on the last page. */
  next: { createdAt: string; id: string } | null;
}

/** One page of the owner's live files after `query.after`, in `query.sort` order. */
export async function listFiles(db: Database, ownerId: string, query: FileListQuery): Promise<FilePage> {
  const { sort, tag, q, mime, after } = query;
  const key = `${sort}_${tag ? 1 : 0}${q ? 1 : 0}${mime ? 1 : 0}${after ? 1 : 0}`;
  let text = listFilesSqlByShape.get(key);
  if (!text) {
    text = listFilesSql({
      sort,
      tag: Boolean(tag),
      q: Boolean(q),
      mime: Boolean(mime),
      after: Boolean(after),
    });
    listFilesSqlByShape.set(key, text);
  }
  const params: (string | number)[] = [ownerId];
  if (tag) params.push(tag);
  if (q) params.push(`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (mime) params.push(mime);
  if (after) params.push(after.createdAt, after.id);
  // One row more than the page: whether it comes back says if there is a next page.
  params.push(query.limit + 1);
  const rows = await db.$client.unsafe<(FileRowText & { cursorCreatedAt: string })[]>(text, params, {
    prepare: true,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toFileRow),
    next: rows.length > query.limit && last ? { createdAt: last.cursorCreatedAt, id: last.id } : null,
  };
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
