// What document.summarize's handler reads and writes. It sits in jobs/ for the reason document-rows.ts does:
// the worker may not import modules/. modules/documents keeps the owner-scoped reads callers make.
import { and, eq, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { documents, llmUsage, summaries, tasks, users } from '../db/schema/index.js';

/** The owner's document with its text: the handler summarises what is stored, read once per attempt. */
export async function findSummarySource(db: Db, ownerId: string, documentId: string) {
  const [row] = await db
    .select({ id: documents.id, text: documents.text })
    .from(documents)
    .where(and(eq(documents.ownerId, ownerId), eq(documents.id, documentId)));
  return row;
}

/** The owner's own provider settings, the key still sealed. */
export async function findProviderSettings(db: Db, ownerId: string) {
  const [row] = await db
    .select({
      apiKeySealed: users.llmApiKeyEncrypted,
      baseURL: users.llmBaseUrl,
      preferredModel: users.preferredModel,
      visionModel: users.visionModel,
    })
    .from(users)
    .where(eq(users.id, ownerId));
  return row;
}

export async function findCachedSummary(db: Db, documentId: string, cacheKey: string) {
  const [row] = await db
    .select({ id: summaries.id, model: summaries.model })
    .from(summaries)
    .where(and(eq(summaries.documentId, documentId), eq(summaries.cacheKey, cacheKey)));
  return row;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  calls: number;
}

/**
 * Adds tokens spent to the owner's tally for today and this model. Called for every run that reached the
 * provider, also one that failed or was cancelled part-way: those tokens were billed too.
 */
export async function recordUsage(db: Db, ownerId: string, model: string, usage: TokenUsage) {
  if (usage.calls === 0) return;
  await db
    .insert(llmUsage)
    .values({ ownerId, day: sql`current_date`, model, ...usage })
    .onConflictDoUpdate({
      target: [llmUsage.ownerId, llmUsage.day, llmUsage.model],
      set: {
        promptTokens: sql`${llmUsage.promptTokens} + excluded.prompt_tokens`,
        completionTokens: sql`${llmUsage.completionTokens} + excluded.completion_tokens`,
        calls: sql`${llmUsage.calls} + excluded.calls`,
      },
    });
}

/**
 * The new summary's id, or undefined when the same request was summarised in the meantime (the unique
 * index on document and cache key decides in one statement).
 */
export async function insertSummary(db: Db, values: typeof summaries.$inferInsert) {
  const [row] = await db
    .insert(summaries)
    .values(values)
    .onConflictDoNothing({ target: [summaries.documentId, summaries.cacheKey] })
    .returning({ id: summaries.id });
  return row?.id;
}

/**
 * Another running summary task of the owner with the very same input that started before this one (by
 * started_at, then id), if any: it is calling the provider for the summary this one would make. Two such
 * tasks agree on which is first, so exactly one of them calls.
 */
export async function findEarlierTwin(db: Db, taskId: string, ownerId: string) {
  const self = sql`(select input, started_at, id from ${tasks} where id = ${taskId})`;
  const [row] = await db
    .select({ id: tasks.id })
    .from(tasks)
    .where(
      and(
        eq(tasks.ownerId, ownerId),
        eq(tasks.type, 'document.summarize'),
        eq(tasks.status, 'running'),
        ne(tasks.id, taskId),
        sql`${tasks.input} = (select input from ${self} as me)`,
        sql`(${tasks.startedAt}, ${tasks.id}) < (select started_at, id from ${self} as me)`,
      ),
    )
    .limit(1);
  return row?.id;
}
