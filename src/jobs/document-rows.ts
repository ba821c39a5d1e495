// What document.extract's handler reads and writes. It sits in jobs/ for the reason task-rows.ts does: the
// worker may not import modules/. modules/documents keeps the owner-scoped reads and deletes callers make.
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { documents, files } from '../db/schema/index.js';

/** The owner's live file, as the handler needs it (the caller's check may be stale by the time it runs). */
export async function findSourceFile(db: Db, ownerId: string, fileId: string) {
  const [row] = await db
    .select({ id: files.id, mime: files.mime, size: files.size, sha256: files.sha256 })
    .from(files)
    .where(and(eq(files.ownerId, ownerId), eq(files.id, fileId), isNull(files.deletedAt)));
  return row;
}

/** The owner's document of this content by this extractor version, if one was made. */
export async function findDocumentOfContent(
  db: Db,
  ownerId: string,
  sha256: string,
  extractorVersion: string,
) {
  const [row] = await db
    .select({ id: documents.id })
    .from(documents)
    .where(
      and(
        eq(documents.ownerId, ownerId),
        eq(documents.sha256, sha256),
        eq(documents.extractorVersion, extractorVersion),
      ),
    );
  return row;
}

/**
 * The new document's id, or undefined when the same content was extracted in the meantime (a concurrent
 * extract of an identical file, or an earlier attempt of this task): the unique index decides, in one statement.
 * The search tokens PostgreSQL cannot make (CJK bigrams, extraction/search-tokens.ts) come with the text: made
 * in the extraction thread (up to ~1 s for 10 MB of CJK, which the API's event loop must not pay).
 */
export async function insertDocument(
  db: Db,
  values: typeof documents.$inferInsert & Pick<Required<typeof documents.$inferInsert>, 'searchTokens'>,
) {
  const [row] = await db
    .insert(documents)
    .values(values)
    .onConflictDoNothing({ target: [documents.ownerId, documents.sha256, documents.extractorVersion] })
    .returning({ id: documents.id });
  return row?.id;
}
