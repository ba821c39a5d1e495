// The SQL text of the files module's hot reads, with no dependencies, so the file.list benchmark's bare
// baseline can send exactly what docrpc sends without loading drizzle.
export const FILE_COLUMNS =
  'id, name, mime, size, sha256, tags, created_at as "createdAt", updated_at as "updatedAt"';

export interface FileListQuery {
  limit: number;
  sort: 'newest' | 'oldest';
  tag?: string | undefined;
  q?: string | undefined;
  mime?: string | undefined;
  /** The created_at (as Postgres text, microseconds intact) and id of the last row already seen. */
  after?: { createdAt: string; id: string } | undefined;
}

/** Which optional parts a list query has: each combination is its own prepared statement. */
export interface ListShape {
  sort: FileListQuery['sort'];
  tag: boolean;
  q: boolean;
  mime: boolean;
  after: boolean;
}

/**
 * Keyset pagination on (created_at, id): stable under concurrent inserts, no OFFSET. Parameters, in
 * order: owner, then tag, name pattern, mime and the cursor's created_at and id when the shape has them,
 * then the row limit.
 */
export function listFilesSql(shape: ListShape): string {
  let n = 1;
  const next = () => `$${++n}`;
  const where = ['owner_id = $1', 'deleted_at is null'];
  if (shape.tag) where.push(`tags @> array[${next()}]::text[]`);
  if (shape.q) where.push(`name ilike ${next()}`);
  if (shape.mime) where.push(`mime = ${next()}`);
  const newest = shape.sort === 'newest';
  if (shape.after) {
    where.push(`(created_at, id) ${newest ? '<' : '>'} (${next()}::timestamptz, ${next()}::uuid)`);
  }
  const direction = newest ? 'desc' : 'asc';
  return (
    `select ${FILE_COLUMNS}, created_at::text as "cursorCreatedAt" from files where ${where.join(' and ')} ` +
    `order by created_at ${direction}, id ${direction} limit ${next()}`
  );
}
