// Owner-scoped reads of summaries. The summarize task's reads and writes are in jobs/summary-rows.ts.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { type Keyset, keysetAfter, keysetOrder, ownedRowPosition, rowsForPage } from '../../db/keyset.js';
import { summaries } from '../../db/schema/index.js';

const summaryColumns = {
  id: summaries.id,
  documentId: summaries.documentId,
  model: summaries.model,
  length: summaries.length,
  style: summaries.style,
  language: summaries.language,
  text: summaries.text,
  promptTokens: summaries.promptTokens,
  completionTokens: summaries.completionTokens,
  chunks: summaries.chunks,
  calls: summaries.calls,
  durationMs: summaries.durationMs,
  createdAt: summaries.createdAt,
};

/** document.summaries' order: newest first. */
const summaryKeyset: Keyset = { columns: [summaries.createdAt, summaries.id], direction: 'desc' };

/** One page (rowsForPage: one extra) of the owner's summaries of one document, after the summary `afterId`. */
export function listSummaries(
  db: Db,
  ownerId: string,
  query: { documentId: string; afterId?: string | undefined; limit: number },
) {
  return db
    .select(summaryColumns)
    .from(summaries)
    .where(
      and(
        eq(summaries.ownerId, ownerId),
        eq(summaries.documentId, query.documentId),
        query.afterId
          ? keysetAfter(
              summaryKeyset,
              ownedRowPosition(summaryKeyset, summaries.ownerId, query.afterId, ownerId),
            )
          : undefined,
      ),
    )
    .orderBy(...keysetOrder(summaryKeyset))
    .limit(rowsForPage(query.limit));
}

export async function isOwnSummaryOf(db: Db, ownerId: string, documentId: string, id: string) {
  const [row] = await db
    .select({ id: summaries.id })
    .from(summaries)
    .where(and(eq(summaries.ownerId, ownerId), eq(summaries.documentId, documentId), eq(summaries.id, id)));
  return row !== undefined;
}
