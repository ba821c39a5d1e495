// Aggregates for stats.overview: per owner, and (admins only) across the server.
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { blobs, documents, files, llmUsage, summaries, tasks, users } from '../../db/schema/index.js';

export function filesByType(db: Database, ownerId: string) {
  return db
    .select({ mime: files.mime, count: sql<number>`count(*)::int`, bytes: sql<string>`sum(${files.size})` })
    .from(files)
    .where(and(eq(files.ownerId, ownerId), isNull(files.deletedAt)))
    .groupBy(files.mime)
    .orderBy(files.mime);
}

export async function serverTotals(db: Database) {
  const [row] = await db
    .select({
      users: sql<number>`(select count(*)::int from ${users})`,
      files: sql<number>`(select count(*)::int from ${files} where ${files.deletedAt} is null)`,
      bytes: sql<string>`(select coalesce(sum(${files.size}), 0) from ${files} where ${files.deletedAt} is null)`,
      storedBytes: sql<string>`(select coalesce(sum(${blobs.size}), 0) from ${blobs})`,
    })
    .from(sql`(select 1) as one`);
  return row;
}

export function tasksByStatus(db: Database, ownerId: string) {
  return db
    .select({ status: tasks.status, count: sql<number>`count(*)::int` })
    .from(tasks)
    .where(eq(tasks.ownerId, ownerId))
    .groupBy(tasks.status);
}

export function meanRunTimes(db: Database, ownerId: string) {
  return db
    .select({
      type: tasks.type,
      count: sql<number>`count(*)::int`,
      meanSeconds: sql<number>`avg(extract(epoch from (${tasks.finishedAt} - ${tasks.startedAt})))::float8`,
    })
    .from(tasks)
    .where(and(eq(tasks.ownerId, ownerId), eq(tasks.status, 'succeeded')))
    .groupBy(tasks.type)
    .orderBy(tasks.type);
}

export async function documentTotals(db: Database, ownerId: string) {
  const [row] = await db
    .select({
      documents: sql<number>`count(*)::int`,
      words: sql<string>`coalesce(sum(${documents.words}), 0)`,
      summaries: sql<number>`(select count(*)::int from ${summaries} where ${summaries.ownerId} = ${ownerId})`,
    })
    .from(documents)
    .where(eq(documents.ownerId, ownerId));
  return row;
}

/** Tokens the owner has spent, per model, all time (the table keeps a row per day). */
export function tokensByModel(db: Database, ownerId: string) {
  return db
    .select({
      model: llmUsage.model,
      promptTokens: sql<string>`sum(${llmUsage.promptTokens})`,
      completionTokens: sql<string>`sum(${llmUsage.completionTokens})`,
      calls: sql<number>`sum(${llmUsage.calls})::int`,
    })
    .from(llmUsage)
    .where(eq(llmUsage.ownerId, ownerId))
    .groupBy(llmUsage.model)
    .orderBy(llmUsage.model);
}
