// Accounts. Shaped for the auth issue: uuid ids, case-insensitive unique email and username, timestamptz.
import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export const userRole = pgEnum('user_role', ['user', 'admin']);
export type Role = (typeof userRole.enumValues)[number];

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    username: text('username').notNull(),
    /** Stored normalised (trimmed, lower-case); the unique index on lower() guards against mixed-case writes. */
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: userRole('role').notNull().default('user'),
    disabled: boolean('disabled').notNull().default(false),
    /** Bumped to revoke every access token of the user at once (disable, password change). */
    tokenVersion: integer('token_version').notNull().default(0),
    displayName: text('display_name'),
    /** AES-256-GCM ciphertext ("v1.iv.tag.data"); the key never leaves config. */
    llmApiKeyEncrypted: text('llm_api_key_encrypted'),
    llmApiKeyLast4: text('llm_api_key_last4'),
    llmBaseUrl: text('llm_base_url'),
    preferredModel: text('preferred_model'),
    /** A vision-capable model of the user's provider: PNG/JPEG files become documents through it. */
    visionModel: text('vision_model'),

    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('users_email_lower_unique').on(sql`lower(${table.email})`),
    uniqueIndex('users_username_lower_unique').on(sql`lower(${table.username})`),
    index('users_created_at_idx').on(table.createdAt),
  ],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
