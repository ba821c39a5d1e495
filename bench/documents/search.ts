// document.search figures, one investigation (not an area of bench/run.ts): `node --import tsx
// bench/documents/search.ts`. (1) CJK words inside sentences: recall and precision of the bigram phrases
// docrpc stores, against the alternatives (PostgreSQL alone, bigrams in any order, Intl.Segmenter words), on
// the real prose of tests/fixtures/texts/search. (2) Latency of the search service over SEARCH_DOCS documents
// of real English (Markdown files of node_modules, cut into ~20 kB texts) in an embedded PostgreSQL, median
// of SEARCH_ROUNDS calls per query. (3) The index's size against the text's.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { databaseOn } from '../../src/db/client.js';
import { startEmbeddedPostgres } from '../../src/db/embedded/embedded.js';
import { runMigrations } from '../../src/db/migrate.js';
import type { Caller } from '../../src/deps.js';
import { guessLanguage } from '../../src/extraction/language.js';
import {
  cjkPrefixes,
  cjkRuns,
  hasCjkPhrase,
  searchQueryText,
  searchTokens,
} from '../../src/extraction/search-tokens.js';
import { insertDocument } from '../../src/jobs/document-rows.js';
import { createLogger } from '../../src/logger.js';
import { searchDocuments as searchDocumentRows } from '../../src/modules/documents/search-queries.js';
import { searchDocuments } from '../../src/modules/documents/search-service.js';
import {
  ABSENT_CJK_WORDS,
  OCCURRING_CJK_WORDS,
  SEARCH_FIXTURES,
  searchFixture,
} from '../../tests/fixtures/search-texts.js';

const DOCS = Number(process.env.SEARCH_DOCS ?? 1000);
const ROUNDS = Number(process.env.SEARCH_ROUNDS ?? 30);
const DOC_CHARS = 20_000;

function cjkFigures(): void {
  const texts = SEARCH_FIXTURES.map(searchFixture);
  const CJK = /(?:(?=\p{L})[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}])+/gu;
  const bigrams = (run: string) => {
    const chars = [...run];
    return chars.length === 1 ? [run] : chars.slice(1).map((c, i) => `${chars[i]}${c}`);
  };
  const segmenter = new Intl.Segmenter('ja', { granularity: 'word' });
  const words = (text: string) =>
    [...segmenter.segment(text)].filter((s) => s.isWordLike).map((s) => s.segment);
  const approaches: Record<string, (text: string, word: string) => boolean> = {
    // PostgreSQL's parser alone: a CJK run is one lexeme, so only a whole clause matches.
    'PostgreSQL alone (simple)': (text, word) => [...text.matchAll(CJK)].some(([run]) => run === word),
    'bigram phrase (docrpc)': (text, word) => {
      const tokens = searchTokens(text).split(' ');
      const wanted = bigrams(word);
      return tokens.some((_, i) => wanted.every((b, j) => tokens[i + j] === b));
    },
    'bigrams in any order': (text, word) => {
      const tokens = new Set(searchTokens(text).split(' '));
      return bigrams(word).every((b) => tokens.has(b));
    },
    'Intl.Segmenter words (all query words present)': (text, word) => {
      const have = new Set(words(text));
      return words(word).every((w) => have.has(w));
    },
  };
  console.log('\nCJK words inside sentences (30 occurring, 30 absent; per document of 3):');
  console.log('| approach | recall | precision | false matches |\n| --- | --- | --- | --- |');
  for (const [name, matches] of Object.entries(approaches)) {
    let truePositive = 0;
    let falsePositive = 0;
    let relevant = 0;
    for (const word of [...OCCURRING_CJK_WORDS, ...ABSENT_CJK_WORDS]) {
      for (const text of texts) {
        const holds = text.includes(word);
        const found = matches(text, word);
        if (holds) relevant++;
        if (found && holds) truePositive++;
        if (found && !holds) falsePositive++;
      }
    }
    const precision = truePositive + falsePositive === 0 ? 1 : truePositive / (truePositive + falsePositive);
    console.log(
      `| ${name} | ${truePositive}/${relevant} = ${((100 * truePositive) / relevant).toFixed(0)} % | ${(100 * precision).toFixed(0)} % | ${falsePositive} |`,
    );
  }
}

/** Real English prose: the Markdown files under node_modules, joined, cut into texts of DOC_CHARS. */
function englishTexts(count: number): string[] {
  const parts: string[] = [];
  let chars = 0;
  const walk = (dir: string, depth: number) => {
    if (chars > count * DOC_CHARS || depth > 4) return;
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      const stat = statSync(full, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory()) walk(full, depth + 1);
      else if (entry.toLowerCase().endsWith('.md') && stat.size < 500_000) {
        const text = readFileSync(full, 'utf8');
        parts.push(text);
        chars += text.length;
      }
      if (chars > count * DOC_CHARS) return;
    }
  };
  walk(path.resolve('node_modules'), 0);
  const all = parts.join('\n');
  return Array.from({ length: count }, (_, i) => all.slice((i * DOC_CHARS) % all.length).slice(0, DOC_CHARS));
}

async function latencyFigures(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'docrpc-search-bench-'));
  const logger = createLogger({ logLevel: 'warn', logPretty: false });
  const pg = await startEmbeddedPostgres({ dataDir, port: 0, logger, ephemeral: true });
  const sql = postgres(pg.url, { max: 4, onnotice: () => {} });
  try {
    await runMigrations(pg.url);
    const db = databaseOn(sql);
    const [user] = await sql<{ id: string }[]>`
      insert into users (username, email, password_hash) values ('bench', 'bench@example.com', 'x') returning id`;
    if (!user) throw new Error('no user');
    const [file] = await sql<{ id: string }[]>`
      insert into files (owner_id, name, mime, size, sha256) values (${user.id}, 'bench.txt', 'text/plain', 1, 'x')
      returning id`;
    if (!file) throw new Error('no file');
    const texts = [...englishTexts(DOCS - 3), ...SEARCH_FIXTURES.map(searchFixture)];
    const started = performance.now();
    for (const text of texts) {
      await insertDocument(db, {
        ownerId: user.id,
        fileId: file.id,
        sha256: createHash('sha256').update(text).digest('hex') + texts.indexOf(text),
        text,
        pages: null,
        words: text.split(/\s+/).length,
        language: guessLanguage(text),
        searchTokens: searchTokens(text),
        extractionMs: 0,
        extractorVersion: 'bench',
      });
    }
    const insertMs = performance.now() - started;
    await sql`vacuum analyze documents`;
    const caller: Caller = {
      id: user.id,
      role: 'user',
      kind: 'session',
      sessionId: null,
      apiTokenId: null,
      scopes: null,
      expiresAt: null,
    };
    const queries = [
      'the',
      'function',
      'install',
      '"pull request"',
      'configuration -typescript',
      'zebra',
      '人間',
      '仁义道德',
    ];
    console.log(
      `\nsearch latency over ${texts.length} documents (${DOC_CHARS} chars each; inserted in ${(insertMs / 1000).toFixed(1)} s), median of ${ROUNDS}:`,
    );
    console.log('| query | matches | first page (20) median ms | p90 ms |\n| --- | --- | --- | --- |');
    for (const q of queries) {
      const times: number[] = [];
      let matches = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const t0 = performance.now();
        const page = await searchDocuments({ db }, caller, { q, limit: 20 });
        times.push(performance.now() - t0);
        matches = page.items.length;
      }
      const [count] = await sql<{ n: number }[]>`
        select count(*)::int as n from documents
        where search_vector @@ websearch_to_tsquery(document_search_config(language), ${q})`;
      times.sort((a, b) => a - b);
      const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]?.toFixed(1);
      console.log(
        `| \`${q}\` | ${q.match(/\p{Script=Han}/u) ? `${matches} (page)` : (count?.n ?? 0)} | ${at(0.5)} | ${at(0.9)} |`,
      );
    }
    // Where a page's time goes, for one common word: matching and ranking (up to the Limit) vs the rest
    // (headlines of the page's rows), as PostgreSQL reports it.
    for (const q of ['function', '仁义道德']) {
      const built = searchDocumentRows(db, user.id, searchQueryOf(q), {
        after: undefined,
        limit: 20,
      }).toSQL();
      const plan = (
        await sql.unsafe(`explain (analyze, costs off) ${built.sql}`, built.params as never[])
      ).map((row) => String(row['QUERY PLAN']));
      const limit = plan.find((line) => line.includes('Limit'))?.match(/actual time=[\d.]+\.\.([\d.]+)/)?.[1];
      const total = plan.find((line) => line.startsWith('Execution Time'));
      if (process.env.SEARCH_PLANS) console.log(plan.join('\n'));
      console.log(`\`${q}\`: matched and ranked in ${limit} ms (of the query's ${total})`);
    }
    const [size] = await sql<Record<string, string>[]>`
      select pg_size_pretty(sum(octet_length(text))) as text_bytes,
             pg_size_pretty(sum(pg_column_size(text))) as text_stored,
             pg_size_pretty(sum(pg_column_size(search_vector))) as vectors_stored,
             pg_size_pretty(sum(pg_column_size(search_tokens))) as tokens_stored,
             pg_size_pretty(pg_relation_size('documents_search_idx')) as gin_index
      from documents`;
    console.log('\nsizes:', size);
  } finally {
    await sql.end();
    await pg.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The query as the service builds it (its own copy: the service keeps its helper to itself). */
function searchQueryOf(q: string) {
  return {
    websearch: searchQueryText(q),
    websearchUnordered: hasCjkPhrase(q) ? searchQueryText(q, { ordered: false }) : undefined,
    prefixes: cjkPrefixes(q),
    cjkWords: cjkRuns(q),
  };
}

cjkFigures();
await latencyFigures();
