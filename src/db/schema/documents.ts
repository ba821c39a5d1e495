// Documents: the text extracted from a file, one row per distinct content and extractor version per owner.
import { sql } from 'drizzle-orm';
import { customType, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { files } from './files.js';
import { users } from './users.js';

/** PostgreSQL's text search document; read only through SQL (ranking, matching), never into a response. */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

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
    /**
     * What PostgreSQL's parser cannot cut out of the text: CJK bigrams and the like, written with the row
     * (extraction/search-tokens.ts); empty for text without CJK.
     */
    searchTokens: text('search_tokens').notNull().default(''),
    /**
     * The full-text index's document: the first line weighted as a title, the search tokens, the text, each
     * through the language's configuration (stemmed English for 'en', `simple` for every other language).
     * document_search_vector is hand SQL in migrations/0006_document_search.sql: it keeps a text whose
     * vector would pass tsvector's 1 MB limit insertable by indexing the longest prefix that fits.
     */
    searchVector: tsvector('search_vector')
      .notNull()
      .generatedAlwaysAs(sql`document_search_vector(language, text, search_tokens)`),
  },
  (table) => [
    uniqueIndex('documents_owner_content_idx').on(table.ownerId, table.sha256, table.extractorVersion),
    // Keyset pagination of a user's documents, newest first.
    index('documents_owner_created_idx').on(table.ownerId, table.createdAt.desc(), table.id.desc()),
    index('documents_file_idx').on(table.fileId),
    index('documents_search_idx').using('gin', table.searchVector),
  ],
);

export type DocumentRow = typeof documents.$inferSelect;
