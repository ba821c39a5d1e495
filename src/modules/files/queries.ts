// SQL of the files module. Every query names the owner; deleted (soft) rows are invisible to callers.
import { and, eq, ilike, isNull, type SQLWrapper, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import { type Keyset, keysetAfter, keysetOrder, rowsForPage } from '../../db/keyset.js';
import { perDatabase } from '../../db/per-database.js';
import { blobs, files, users } from '../../db/schema/index.js';

const fileColumns = {
  id: files.id,
  name: files.name,
  mime: files.mime,
  size: files.size,
  sha256: files.sha256,
  tags: files.tags,
  createdAt: files.createdAt,
  updatedAt: files.updatedAt,
};

const live = (ownerId: string | SQLWrapper) => and(eq(files.ownerId, ownerId), isNull(files.deletedAt));

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

// file.get, file.list and every download read through these: Drizzle prepared statements, made once per
// database handle (one per list shape, at most 32). Unprepared, Drizzle builds the SQL on each call and
// sends it unnamed, parsed and planned every time (bench/README.md findings, "file.list with every query
// prepared": -1801 µs CPU per request, +39 % req/s). Against the postgres-js statements with hand-mapped
// rows they replaced, Drizzle's row mapping costs ~20-40 µs of node CPU per 20-row list call and ~5-10 µs
// per findFile (in-process A/B, 2026-12-02), a few percent of file.list's CPU per request: in bench/files
// (c), docrpc's node CPU per request went 465 -> 468 µs, docrpc / bare tRPC within its run-to-run noise.
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
  /** The last row already seen: its created_at as Postgres text (microseconds intact) and its id. */
  after?: readonly [createdAt: string, id: string] | undefined;
}

/** Which optional parts a list query has: each combination is its own prepared statement. */
type ListShape = Pick<FileListQuery, 'sort'> & Record<'tag' | 'q' | 'mime' | 'after', boolean>;

const fileKeyset = (sort: FileListQuery['sort']): Keyset => ({
  columns: [files.createdAt, files.id],
  direction: sort === 'newest' ? 'desc' : 'asc',
});

function prepareFileList(db: Database, shape: ListShape, name: string) {
  const keyset = fileKeyset(shape.sort);
  const afterPosition = sql`(${sql.placeholder('afterCreatedAt')}::timestamptz, ${sql.placeholder('afterId')}::uuid)`;
  return db
    .select({ ...fileColumns, cursorCreatedAt: sql<string>`${files.createdAt}::text` })
    .from(files)
    .where(
      and(
        live(sql.placeholder('ownerId')),
        shape.tag ? sql`${files.tags} @> array[${sql.placeholder('tag')}]::text[]` : undefined,
        shape.q ? ilike(files.name, sql.placeholder('namePattern')) : undefined,
        shape.mime ? eq(files.mime, sql.placeholder('mime')) : undefined,
        shape.after ? keysetAfter(keyset, afterPosition) : undefined,
      ),
    )
    .orderBy(...keysetOrder(keyset))
    .limit(sql.placeholder('rows'))
    .prepare(name);
}

const fileListQueries = perDatabase(() => new Map<string, ReturnType<typeof prepareFileList>>());

/**
 * The rows of one page (rowsForPage: one extra) of the owner's live files after `query.after`, in
 * `query.sort` order; each with its created_at as text for the next cursor.
 */
export function listFiles(db: Database, ownerId: string, query: FileListQuery) {
  const { sort, tag, q, mime, after } = query;
  // An empty filter (a mime of "") filters nothing.
  const shape = { sort, tag: Boolean(tag), q: Boolean(q), mime: Boolean(mime), after: Boolean(after) };
  const name = `files_list_${sort}_${+shape.tag}${+shape.q}${+shape.mime}${+shape.after}`;
  const queries = fileListQueries(db);
  let prepared = queries.get(name);
  if (!prepared) {
    prepared = prepareFileList(db, shape, name);
    queries.set(name, prepared);
  }
  return prepared.execute({
    ownerId,
    tag,
    namePattern: q && `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
    mime,
    afterCreatedAt: after?.[0],
    afterId: after?.[1],
    rows: rowsForPage(query.limit),
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
