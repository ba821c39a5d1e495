// document.search's SQL: the owner's documents matching a full-text query, ranked, one page at a time, with
// a headline per document of the page. The index and its vector are described in db/schema/documents.ts.
import { and, eq, isNull, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { documents, files } from '../../db/schema/index.js';
import { UNPOSITIONED_MARK } from '../../extraction/search-tokens.js';

/**
 * PostgreSQL's text search configurations a document's vector is made with: migrations/0006's
 * document_search_config maps each language onto one of these. A query is parsed once per configuration and
 * each document is matched by the one its vector was made with (so a stemmed "-cats" excludes "cat").
 */
const SEARCH_CONFIGS = ['english', 'simple'] as const;

/**
 * Characters of the text a headline is cut from: ts_headline parses all it is given, ~0.25 µs a character
 * (a 1 MB text takes ~150 ms). Over 1,000 documents of 20 kB (bench/README.md findings; the script is in
 * git at b8bf03e), headlines of 20,000 characters were two thirds of a page's time (~60 of ~90 ms); 10,000
 * (the first 3-4 pages of a PDF) halve that. A match past this prefix ranks the document all the same; its snippet is then the beginning.
 */
export const HEADLINE_CHARS = 10_000;
/** Characters searched for a CJK word to centre a snippet on (strpos reads ~1 GB/s; bounded all the same). */
const CJK_WINDOW_SEARCH_CHARS = 1_000_000;
/** The CJK snippet: this many characters before the word, and in all. */
const CJK_WINDOW_BEFORE = 40;
const CJK_WINDOW_CHARS = 120;

/** Highlight markers ts_headline writes: private-use characters, removed from the text before it runs. */
export const HIGHLIGHT_START = '\uE000';
export const HIGHLIGHT_STOP = '\uE001';

export interface SearchQuery {
  /** The query in websearch syntax, CJK already cut into bigram phrases (extraction/search-tokens.ts). */
  websearch: string;
  /**
   * The same with CJK bigrams in any order, for documents whose tokens passed PostgreSQL's positions (they
   * carry UNPOSITIONED_MARK); undefined when the query has no CJK phrase.
   */
  websearchUnordered: string | undefined;
  /** One-character CJK words: matched as prefixes of the stored tokens. */
  prefixes: readonly string[];
  /** The query's CJK words: the first centres the snippet (ts_headline cannot find it), all are marked. */
  cjkWords: readonly string[];
}

/** A row's place in the ranking: (rank, id), both descending. */
export interface SearchPosition {
  rank: string;
  id: string;
}

function tsquery(config: (typeof SEARCH_CONFIGS)[number], query: SearchQuery): SQL {
  let parsed = sql`websearch_to_tsquery(${config}::regconfig, ${query.websearch})`;
  if (query.websearchUnordered !== undefined) {
    parsed = sql`(${parsed} || (websearch_to_tsquery(${config}::regconfig, ${query.websearchUnordered}) && to_tsquery('simple', ${UNPOSITIONED_MARK})))`;
  }
  for (const prefix of query.prefixes) {
    parsed = sql`ts_rewrite(${parsed}, to_tsquery('simple', quote_literal(${prefix})), to_tsquery('simple', quote_literal(${prefix}) || ':*'))`;
  }
  return parsed;
}

/** The query each row is matched with: the one parsed by its vector's configuration. */
function rowQuery(query: SearchQuery): SQL {
  const arms = SEARCH_CONFIGS.map((config) => sql`when ${config}::regconfig then ${tsquery(config, query)}`);
  return sql`(case document_search_config(${documents.language}) ${sql.join(arms, sql` `)} end)`;
}

/** Matches through the GIN index: one bitmap scan per configuration, each kept to the rows made with it. */
function matches(query: SearchQuery): SQL {
  const arms = SEARCH_CONFIGS.map(
    (config) =>
      sql`(document_search_config(${documents.language}) = ${config}::regconfig and ${documents.searchVector} @@ ${tsquery(config, query)})`,
  );
  return sql`(${sql.join(arms, sql` or `)})`;
}

/**
 * The rows of one page (limit + 1, to tell whether another follows) of the owner's documents matching the
 * query, best first: ts_rank_cd (cover density: terms near each other count more; the first line weighs
 * most) divided by 1 + log(length) so a passing mention in a long text ranks under a focused one, then
 * scaled into [0, 1). Ties are broken by id, so pages neither repeat nor skip a row.
 */
export function searchDocuments(
  db: Db,
  ownerId: string,
  query: SearchQuery,
  page: { after: SearchPosition | undefined; limit: number },
) {
  const rank = sql<number>`ts_rank_cd(${documents.searchVector}, ${rowQuery(query)}, 1 | 32)`;
  // The rank is computed once per matching row (ts_rank_cd reads the whole vector); its text, which the
  // cursor holds, only for the page.
  const ranked = db
    .select({ id: documents.id, rank: rank.as('rank') })
    .from(documents)
    .where(and(eq(documents.ownerId, ownerId), matches(query)))
    .as('ranked');
  const after = page.after
    ? sql`(${ranked.rank}, ${ranked.id}) < (${page.after.rank}::real, ${page.after.id}::uuid)`
    : undefined;
  const pageRows = db
    .select({ id: ranked.id, rank: ranked.rank })
    .from(ranked)
    .where(after)
    .orderBy(sql`${ranked.rank} desc`, sql`${ranked.id} desc`)
    .limit(page.limit + 1)
    .as('page');

  const headlineText = sql`translate(left(${documents.text}, ${HEADLINE_CHARS}), ${HIGHLIGHT_START + HIGHLIGHT_STOP}, '')`;
  const headlineOptions = `StartSel=${HIGHLIGHT_START}, StopSel=${HIGHLIGHT_STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`;
  const cjkWord = query.cjkWords[0];
  const cjkAt = cjkWord
    ? sql<number>`strpos(left(${documents.text}, ${CJK_WINDOW_SEARCH_CHARS}), ${cjkWord})`
    : sql<number>`0`;
  return db
    .select({
      documentId: documents.id,
      fileId: documents.fileId,
      fileName: sql<string | null>`case when ${isNull(files.deletedAt)} then ${files.name} end`,
      /** As PostgreSQL writes the real: read back exactly by the cursor's ::real. */
      rank: sql<string>`${pageRows.rank}::text`.as('rank_text'),
      pages: documents.pages,
      language: documents.language,
      createdAt: documents.createdAt,
      headline: sql<string>`ts_headline(document_search_config(${documents.language}), ${headlineText}, ${rowQuery(query)}, ${headlineOptions})`,
      cjkWindow: cjkWord
        ? sql<
            string | null
          >`case when ${cjkAt} > 0 then substr(${documents.text}, greatest(${cjkAt} - ${CJK_WINDOW_BEFORE}, 1), ${CJK_WINDOW_CHARS}) end`
        : sql<string | null>`null`,
    })
    .from(pageRows)
    .innerJoin(documents, eq(documents.id, pageRows.id))
    .innerJoin(files, eq(files.id, documents.fileId))
    .orderBy(sql`${pageRows.rank} desc`, sql`${pageRows.id} desc`);
}
