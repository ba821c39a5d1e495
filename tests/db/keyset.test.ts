// The keyset helper's pure parts: a page cut from limit + 1 rows, and the cursor codec round trip.
import { describe, expect, it } from 'vitest';
import { cursorPart, decodeCursor, encodeCursor, pageOf, rowsForPage } from '../../src/db/keyset.js';

const ID = '00000000-0000-4000-8000-000000000000';
const PARTS = [cursorPart.timestamptz, cursorPart.uuid] as const;

describe('pageOf', () => {
  const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `row-${i}` }));

  it('shows limit rows and names the last one shown when one more came back', () => {
    expect(pageOf(rows(rowsForPage(2)), 2, (last) => last.id)).toEqual({
      items: [{ id: 'row-0' }, { id: 'row-1' }],
      nextCursor: 'row-1',
    });
  });

  it('has no next cursor on the last page, full or not', () => {
    expect(pageOf(rows(2), 2, (last) => last.id).nextCursor).toBeNull();
    expect(pageOf(rows(0), 2, (last) => last.id)).toEqual({ items: [], nextCursor: null });
  });
});

describe('cursor codec', () => {
  it('gives back the position it was made from, microseconds and offset intact', () => {
    const position = ['2024-05-01 12:34:56.123456+00', ID] as const;
    expect(decodeCursor(encodeCursor(position), 'file.list', PARTS)).toEqual(position);
  });

  it('refuses a position whose part fails its test, naming the list', () => {
    const forged = encodeCursor(['2024-02-30 10:00:00+00', ID]);
    expect(() => decodeCursor(forged, 'file.list', PARTS)).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_ERROR',
        details: { fieldErrors: { cursor: ['is not a cursor from file.list'] } },
      }),
    );
    expect(() => decodeCursor('not base64 json', 'x.list', PARTS)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_ERROR' }),
    );
  });
});
