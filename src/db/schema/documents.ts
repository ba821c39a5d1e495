// Documents: the text extracted from a file, one row per distinct content and extractor version per owner.
import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { files } from './files.js';
import { users } from './users.js';

export const documents = pgTable(
  'documents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The file it was extracted from (files are soft-deleted, so the row outlives a file.delete). */
    fileId: uuid('file_id')
      .notNull()
      .references(() => files.id, { onDelete: 'cascade' }),
    /** The content it was extracted from: the same bytes extracted again find this row. */
    sha256: text('sha256').notNull(),
    /** The text, stored once here; summaries and search refer to it. */
    text: text('text').notNull(),
    /** Pages of a paginated format (PDF, separated by \f in the text); null for the others. */
    pages: integer('pages'),
    words: integer('words').notNull(),
    /** A BCP 47 guess: en, zh, ja, ko, und-Latn (script known, language not)… */
    language: text('language').notNull(),
    extractionMs: integer('extraction_ms').notNull(),
    extractorVersion: text('extractor_version').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('documents_owner_content_idx').on(table.ownerId, table.sha256, table.extractorVersion),
    // Keyset pagination of a user's documents, newest first.
    index('documents_owner_created_idx').on(table.ownerId, table.createdAt.desc(), table.id.desc()),
    index('documents_file_idx').on(table.fileId),
  ],
);

export type DocumentRow = typeof documents.$inferSelect;
