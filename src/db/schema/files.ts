// Uploaded files (one row per upload, owner-scoped) over content-addressed blobs shared by identical bytes.
import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.js';

/** One stored object per distinct content (key = sha256); ref_count counts the live files using it. */
export const blobs = pgTable('blobs', {
  key: text('key').primaryKey(),
  size: bigint('size', { mode: 'number' }).notNull(),
  refCount: integer('ref_count').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const files = pgTable(
  'files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** For display only, sanitised; never used as a path. */
    name: text('name').notNull(),
    /** Detected from the content, not taken from the caller. */
    mime: text('mime').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    /** The blob's key. No foreign key: deleted rows keep it after the blob is gone (ref counts rule). */
    sha256: text('sha256').notNull(),

    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (table) => [
    // Keyset pagination of a user's live files, newest first.
    index('files_owner_created_idx')
      .on(table.ownerId, table.createdAt.desc(), table.id.desc())
      .where(sql`${table.deletedAt} is null`),
    index('files_tags_idx').using('gin', table.tags),
  ],
);

export type FileRow = typeof files.$inferSelect;
