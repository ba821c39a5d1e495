// Owner-scoped reads and deletes of documents. The extract task's reads and its insert are in
// jobs/document-rows.ts (the worker may not import modules/).
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { type Keyset, keysetAfter, keysetOrder, ownedRowPosition, rowsForPage } from '../../db/keyset.js';
import { documents, files } from '../../db/schema/index.js';

const documentColumns = {
  id: documents.id,
  fileId: documents.fileId,
  sha256: documents.sha256,
  pages: documents.pages,
  words: documents.words,
  language: documents.language,
  extractionMs: documents.extractionMs,
  extractorVersion: documents.extractorVersion,
  createdAt: documents.createdAt,
};

const owned = (ownerId: string, id: string) => and(eq(documents.ownerId, ownerId), eq(documents.id, id));

export async function findDocument(db: Db, ownerId: string, id: string) {
  const [row] = await db.select(documentColumns).from(documents).where(owned(ownerId, id));
  return row;
}

/** document.list's order: newest first. */
const documentKeyset: Keyset = { columns: [documents.createdAt, documents.id], direction: 'desc' };

/** The rows of one page (rowsForPage: one extra) of the owner's documents after the document `afterId`. */
export function listDocuments(
  db: Db,
  ownerId: string,
  query: { afterId?: string | undefined; limit: number },
) {
  return db
    .select(documentColumns)
    .from(documents)
    .where(
      and(
        eq(documents.ownerId, ownerId),
        query.afterId
          ? keysetAfter(
              documentKeyset,
              ownedRowPosition(documentKeyset, documents.ownerId, query.afterId, ownerId),
            )
          : undefined,
      ),
    )
    .orderBy(...keysetOrder(documentKeyset))
    .limit(rowsForPage(query.limit));
}

/** Returns false when the owner has no such document. */
export async function deleteDocument(db: Db, ownerId: string, id: string): Promise<boolean> {
  const rows = await db.delete(documents).where(owned(ownerId, id)).returning({ id: documents.id });
  return rows.length > 0;
}

/** What a text download needs before its first byte: the length to read and a name for the file. */
export async function findDocumentTextInfo(db: Db, ownerId: string, id: string) {
  const [row] = await db
    .select({ chars: sql<number>`char_length(${documents.text})`.mapWith(Number), fileName: files.name })
    .from(documents)
    .innerJoin(files, eq(files.id, documents.fileId))
    .where(owned(ownerId, id));
  return row;
}

/** Characters [from, from + count) of the text (0-based), so a download never holds the whole text. */
export async function readDocumentText(db: Db, ownerId: string, id: string, from: number, count: number) {
  const [row] = await db
    .select({ part: sql<string>`substr(${documents.text}, ${from + 1}, ${count})` })
    .from(documents)
    .where(owned(ownerId, id));
  return row?.part;
}
