// document.search as its caller sees it: ranked pages of their documents matching a web-search query, each
// with a snippet; cursors that belong to one caller and one query.
import { createHash } from 'node:crypto';
import { cursorPart, decodeCursor, encodeCursor, invalidCursor, pageOf } from '../../db/keyset.js';
import type { AppDeps, Caller } from '../../deps.js';
import { cjkPrefixes, cjkRuns, hasCjkPhrase, searchQueryText } from '../../extraction/search-tokens.js';
import type { SearchDocumentsInput, SearchResult } from './schemas.js';
import { type SearchQuery, searchDocuments as searchDocumentRows } from './search-queries.js';
import { snippetOf } from './search-snippet.js';

/** A rank as PostgreSQL writes a real in [0, 1) (what ranks are): anything else would fail its ::real cast. */
const RANK_TEXT = /^\d+(\.\d+)?(e-\d+)?$/;
function isRank(text: string): boolean {
  const value = Number(text);
  return RANK_TEXT.test(text) && value >= 0 && value < 1 && (value === 0 || Math.fround(value) !== 0);
}

/** Which caller and query a cursor was made for: another's cursor, or one from another q, pages nowhere. */
function cursorScope(ownerId: string, q: string): string {
  return createHash('sha256').update(`${ownerId}\0${q}`).digest('base64url').slice(0, 16);
}

const SEARCH_CURSOR = [isRank, cursorPart.uuid, (text: string) => /^[\w-]{16}$/.test(text)] as const;

/**
 * The caller's documents matching `q`, best first, a page at a time. The cursor holds the last row's (rank,
 * id): the next page starts strictly after it, so rows tied on rank are neither repeated nor skipped, and a
 * document added meanwhile cannot shift the pages (keyset, not offset). A query with no searchable word
 * (only punctuation, or only stop words for every language) finds nothing: an empty page, not an error.
 */
export async function searchDocuments(
  deps: Pick<AppDeps, 'db'>,
  caller: Caller,
  input: SearchDocumentsInput,
): Promise<{ items: SearchResult[]; nextCursor: string | null }> {
  const scope = cursorScope(caller.id, input.q);
  const after = input.cursor ? decodeCursor(input.cursor, 'document.search', SEARCH_CURSOR) : undefined;
  if (after && after[2] !== scope) throw invalidCursor('document.search');
  const query = searchQueryOf(input.q);
  const rows = await searchDocumentRows(deps.db, caller.id, query, {
    after: after && { rank: after[0], id: after[1] },
    limit: input.limit,
  });
  const page = pageOf(rows, input.limit, (last) => encodeCursor([last.rank, last.documentId, scope]));
  return {
    items: page.items.map(({ headline, cjkWindow, rank, ...row }) => ({
      ...row,
      rank: Number(rank),
      snippet: snippetOf({ headline, cjkWindow }, query.cjkWords),
    })),
    nextCursor: page.nextCursor,
  };
}

/** What the query's SQL needs from the words typed: websearch text with CJK cut as the index cuts it. */
function searchQueryOf(q: string): SearchQuery {
  return {
    websearch: searchQueryText(q),
    websearchUnordered: hasCjkPhrase(q) ? searchQueryText(q, { ordered: false }) : undefined,
    prefixes: cjkPrefixes(q),
    cjkWords: cjkRuns(q),
  };
}
