// Summaries of documents, and the LLM tokens each user has spent.
import {
  bigint,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { documents } from './documents.js';
import { users } from './users.js';

export const summaries = pgTable(
  'summaries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Deleting the document deletes its summaries (the file stays). */
    documentId: uuid('document_id')
      .notNull()
      .references(() => documents.id, { onDelete: 'cascade' }),
    /**
     * sha256 of the document text, the options, the model and the prompt version: the same request again
     * finds this row instead of calling the provider.
     */
    cacheKey: text('cache_key').notNull(),
    /** The model that wrote it, or `builtin-extractive` for the offline summariser. */
    model: text('model').notNull(),
    length: text('length').$type<'short' | 'medium' | 'long'>().notNull(),
    style: text('style').$type<'paragraph' | 'bullets'>().notNull(),
    /** The language asked for; null when the summary follows the document's. */
    language: text('language'),
    text: text('text').notNull(),
    promptTokens: integer('prompt_tokens').notNull(),
    completionTokens: integer('completion_tokens').notNull(),
    /** Chunks the text was split into (1 when it fitted one call) and calls made to the provider. */
    chunks: integer('chunks').notNull(),
    calls: integer('calls').notNull(),
    durationMs: integer('duration_ms').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('summaries_document_cache_key_idx').on(table.documentId, table.cacheKey),
    index('summaries_document_created_idx').on(table.documentId, table.createdAt.desc(), table.id.desc()),
  ],
);

export type SummaryRow = typeof summaries.$inferSelect;

/**
 * Tokens spent per user, day and model. Kept apart from summaries so the spend stays counted when a
 * summary or its document is deleted, and includes work that failed or was cancelled part-way.
 */
export const llmUsage = pgTable(
  'llm_usage',
  {
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    day: date('day').notNull(),
    model: text('model').notNull(),
    promptTokens: bigint('prompt_tokens', { mode: 'number' }).notNull().default(0),
    completionTokens: bigint('completion_tokens', { mode: 'number' }).notNull().default(0),
    calls: integer('calls').notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.ownerId, table.day, table.model] })],
);
