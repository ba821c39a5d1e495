// Keyset pagination, the one way a list pages: rows in the order of their keyset (a sort key, then the id),
// a page read as one row more than it shows (whether that row comes back says if there is a next page), and
// the next page starting strictly after the last row shown. Stable while rows arrive; no OFFSET.
import { asc, desc, type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { AppError } from '../errors.js';

/** How a list is ordered: its columns, the last one unique (the id, which breaks ties), one direction. */
export interface Keyset {
  columns: readonly [PgColumn, ...PgColumn[]];
  direction: 'asc' | 'desc';
}

export function keysetOrder({ columns, direction }: Keyset): SQL[] {
  const by = direction === 'asc' ? asc : desc;
  return columns.map((column) => by(column));
}

/** The rows strictly after `position` (a row value of the keyset's columns) in the keyset's order. */
export function keysetAfter({ columns, direction }: Keyset, position: SQL): SQL {
  return sql`(${sql.join([...columns], sql`, `)}) ${direction === 'asc' ? sql`>` : sql`<`} ${position}`;
}

/**
 * The position of the row a cursor names by its id, read from the row itself (no precision lost in
 * transit) and only among the owner's rows: another user's id matches nothing, so it pages nowhere.
 */
export function ownedRowPosition({ columns }: Keyset, owner: PgColumn, rowId: string, ownerId: string): SQL {
  const id = columns[columns.length - 1] ?? columns[0];
  const names = columns.map((column) => sql.identifier(column.name));
  return sql`(select ${sql.join(names, sql`, `)} from ${owner.table} where ${sql.identifier(id.name)} = ${rowId} and ${sql.identifier(owner.name)} = ${ownerId})`;
}

/** How many rows to read for a page of `limit`: one more than it shows. */
export function rowsForPage(limit: number): number {
  return limit + 1;
}

export interface Page<Row> {
  items: Row[];
  /** Where the next page starts, or null on the last page. */
  nextCursor: string | null;
}

/** The page in rows read with rowsForPage(limit); its cursor names the last row shown when more follow. */
export function pageOf<Row>(rows: Row[], limit: number, cursorOf: (last: Row) => string): Page<Row> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}

/** The one answer to a cursor that is none of this list's: VALIDATION_ERROR on the cursor field. */
export function invalidCursor(list: string): AppError {
  return new AppError('VALIDATION_ERROR', 'Invalid cursor', {
    fieldErrors: { cursor: [`is not a cursor from ${list}`] },
  });
}

/** An opaque cursor holding a row's position: its keyset values, as Postgres writes them as text. */
export function encodeCursor(position: readonly string[]): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** A test one part of a decoded position must pass before it goes to SQL. */
export type CursorPart = (text: string) => boolean;

/**
 * The position a cursor from encodeCursor holds, each part checked by its test. Only what encodeCursor
 * could have made gets through: the parts go to SQL as ::timestamptz, ::uuid…, where "2024-13-45 99:99"
 * or 36 dashes would fail the query (a 500) instead of the input (a 400).
 */
export function decodeCursor<const Parts extends readonly CursorPart[]>(
  cursor: string,
  list: string,
  parts: Parts,
): { [K in keyof Parts]: string } {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (
      Array.isArray(decoded) &&
      decoded.length === parts.length &&
      decoded.every((part: unknown, i) => typeof part === 'string' && parts[i]?.(part) === true)
    ) {
      return decoded as { [K in keyof Parts]: string };
    }
  } catch {
    // not base64url JSON: refused below like any other forgery
  }
  throw invalidCursor(list);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// timestamptz as Postgres writes it as text ("2024-05-01 12:34:56.123456+00"), parts captured.
const PG_TIMESTAMPTZ =
  /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?([+-])(\d{2})(?::?(\d{2}))?$/;

export const cursorPart = {
  uuid: (text: string) => UUID.test(text),
  timestamptz: isPgTimestamptz,
} satisfies Record<string, CursorPart>;

function isPgTimestamptz(text: string): boolean {
  const parts = PG_TIMESTAMPTZ.exec(text);
  if (!parts) return false;
  const [year, month, day, hour, minute, second, , , offsetHours, offsetMinutes] = parts
    .slice(1)
    .map((part) => Number(part ?? 0));
  if (year === undefined || month === undefined || day === undefined) return false;
  // Date.UTC rolls "02-30" over into March: a real date comes back with the same day and month.
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return (
    year >= 1 &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    (hour ?? 24) < 24 &&
    (minute ?? 60) < 60 &&
    (second ?? 60) < 60 &&
    (offsetHours ?? 16) <= 15 &&
    (offsetMinutes ?? 60) < 60
  );
}
