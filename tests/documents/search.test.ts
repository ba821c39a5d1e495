// document.search: ranking, English stemming and the `simple` fallback, Chinese and Japanese words inside
// sentences (real public-domain prose), websearch operators, owner scoping, keyset pages under ties, snippets a
// client can insert as HTML, multi-MB texts, deletion, and bad input. Documents are made by document.extract
// run by the in-process worker, or (for many rows or texts too large to upload quickly) by the worker's own
// insertDocument, the function its handler writes with.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guessLanguage } from '../../src/extraction/language.js';
import { searchTokens } from '../../src/extraction/search-tokens.js';
import { insertDocument } from '../../src/jobs/document-rows.js';
import {
  ABSENT_CJK_WORDS as absent,
  searchFixture as fixture,
  OCCURRING_CJK_WORDS as occurring,
} from '../fixtures/search-texts.js';
import {
  type AppCaller,
  appCodeOf,
  octetBody,
  startTestCallers,
  type TestCallers,
} from '../helpers/caller.js';

let app: TestCallers;
beforeAll(async () => {
  app = await startTestCallers({ env: { WORKER_ENABLED: 'true' } });
});
afterAll(async () => {
  await app?.close();
});

type User = Awaited<ReturnType<TestCallers['register']>>;

async function upload(user: User, name: string, text: string): Promise<string> {
  const file = await app
    .as(user.session.accessToken, { uploadMeta: { name } })
    .file.upload(octetBody(Buffer.from(text)));
  return file.id;
}

/** Uploads `text` as a .txt file and extracts it through document.extract; the document's id. */
async function extracted(user: User, name: string, text: string): Promise<string> {
  const task = await user.api.document.extract({ fileId: await upload(user, name, text) });
  for (let waited = 0; waited < 30_000; waited += 100) {
    const state = await user.api.task.get({ id: task.id });
    if (state.status === 'succeeded') return (state.result as { documentId: string }).documentId;
    if (state.status === 'failed' || state.status === 'cancelled') throw new Error(`extract ${state.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('extract did not finish');
}

/** A document of `text` written by the worker's insert (no upload of the text itself). */
async function inserted(user: User, fileId: string, text: string): Promise<string> {
  const id = await insertDocument(app.deps.db, {
    ownerId: user.session.user.id,
    fileId,
    sha256: randomBytes(32).toString('hex'),
    text,
    pages: null,
    words: text.split(/\s+/).length,
    language: guessLanguage(text),
    searchTokens: searchTokens(text),
    extractionMs: 0,
    extractorVersion: 'test',
  });
  if (!id) throw new Error('not inserted');
  return id;
}

const search = (api: AppCaller, q: string, more: { cursor?: string; limit?: number } = {}) =>
  api.document.search({ q, ...more });
const idsFor = async (api: AppCaller, q: string) =>
  (await search(api, q, { limit: 50 })).items.map((i) => i.documentId);

describe('document.search over English and other Latin text', () => {
  let ada: User;
  const docs: Record<string, string> = {};
  beforeAll(async () => {
    ada = await app.register();
    const texts = {
      focused:
        'Revenue report\nRevenue grew in every quarter. Revenue from services doubled, and revenue per customer rose.',
      passing: `Company picnic notes\n${'The picnic was held by the lake and everyone brought food to share. '.repeat(30)}Someone mentioned revenue once.`,
      runner: 'Training log\nShe runs every morning before work, and the dog runs with her.',
      german: 'Die Katze schläft auf dem Sofa, während draußen der Regen fällt und die Straßen glänzen.',
      costs: 'Budget review\nRevenue is steady but costs went up in the second half of the year.',
      html: 'Markup notes\nIn the formula a < b & c > d, revenue is "net" of AT&T\'s fees.',
    };
    for (const [key, text] of Object.entries(texts)) docs[key] = await extracted(ada, `${key}.txt`, text);
  });

  it('ranks a document about the term over one that mentions it in passing', async () => {
    const { items } = await search(ada.api, 'revenue');
    const order = items.map((item) => item.documentId);
    expect(order).toEqual(expect.arrayContaining([docs.focused, docs.passing, docs.costs, docs.html]));
    expect(order[0]).toBe(docs.focused);
    expect(order.at(-1)).toBe(docs.passing);
    const ranks = items.map((item) => item.rank);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    expect(ranks.every((rank) => rank > 0 && rank < 1)).toBe(true);
    expect(items[0]).toMatchObject({ fileName: 'focused.txt', language: 'en', pages: null });
  });

  it('stems English ("running" finds "runs") and matches other languages word for word (simple)', async () => {
    expect(await idsFor(ada.api, 'running')).toEqual([docs.runner]);
    expect(await idsFor(ada.api, 'schläft')).toEqual([docs.german]);
    expect(await idsFor(ada.api, 'Straßen Regen')).toEqual([docs.german]);
    // `simple` does not stem: another form of the German word is another word.
    expect(await idsFor(ada.api, 'schlafen')).toEqual([]);
  });

  it('understands websearch syntax: phrases, -excluded words, or', async () => {
    expect(await idsFor(ada.api, '"revenue grew"')).toEqual([docs.focused]);
    expect(await idsFor(ada.api, '"grew revenue"')).toEqual([]);
    const withoutCosts = await idsFor(ada.api, 'revenue -costs');
    expect(withoutCosts).toContain(docs.focused);
    expect(withoutCosts).not.toContain(docs.costs);
    expect(new Set(await idsFor(ada.api, 'picnic or training'))).toEqual(
      new Set([docs.passing, docs.runner]),
    );
    // Exclusion uses each document's own configuration: "-cost" also excludes "costs" (stemmed English).
    expect(await idsFor(ada.api, 'revenue -cost')).not.toContain(docs.costs);
  });

  it('marks matches in the snippet with <b>…</b> and escapes everything else', async () => {
    const [focused] = (await search(ada.api, 'revenues')).items;
    expect(focused?.snippet).toContain('<b>Revenue</b> grew');
    const [html] = (await search(ada.api, 'formula')).items;
    expect(html?.documentId).toBe(docs.html);
    expect(html?.snippet).toContain('<b>formula</b> a &lt; b &amp; c &gt; d');
    expect(html?.snippet).toContain('&quot;net&quot; of AT&amp;T&#39;s');
    expect(html?.snippet.replace(/<\/?b>/g, '')).not.toMatch(/[<>]/);
  });

  it('answers a query with nothing searchable in it with an empty page, never an error', async () => {
    for (const q of ['the', '!!!', '-', '""', 'or']) {
      expect((await search(ada.api, q)).items, q).toEqual([]);
    }
  });

  it('forgets a deleted document', async () => {
    const id = await extracted(ada, 'ephemeral.txt', 'Zanzibar ephemeral note');
    expect(await idsFor(ada.api, 'zanzibar')).toEqual([id]);
    await ada.api.document.delete({ id });
    expect(await idsFor(ada.api, 'zanzibar')).toEqual([]);
  });
});

describe('document.search over Chinese and Japanese', () => {
  let ada: User;
  const texts = {
    zh: fixture('kuangren-riji.zh.txt'),
    ja: fixture('wagahai-neko.ja.txt'),
    merosu: fixture('hashire-merosu.ja.txt'),
  };
  const docs: Record<string, string> = {};
  beforeAll(async () => {
    ada = await app.register();
    const ids = await Promise.all(
      Object.entries(texts).map(
        async ([key, text]) => [key, await extracted(ada, `${key}.txt`, text)] as const,
      ),
    );
    for (const [key, id] of ids) docs[key] = id;
    docs.mixed = await extracted(
      ada,
      'mixed.txt',
      'Tokyo population report\n東京都の人口は今年も増えた。Unicode文字の例。',
    );
  });

  it('finds a word inside a sentence in exactly the documents that contain it (60 words)', async () => {
    expect(occurring).toHaveLength(30);
    expect(absent).toHaveLength(30);
    let found = 0;
    let wrong = 0;
    for (const word of [...occurring, ...absent]) {
      const expected = Object.entries(texts)
        .filter(([, text]) => text.includes(word))
        .map(([key]) => docs[key]);
      const got = await idsFor(ada.api, word);
      expect(new Set(got), word).toEqual(new Set(expected));
      if (expected.length > 0 && got.length > 0) found++;
      if (expected.length === 0 && got.length > 0) wrong++;
    }
    expect({ found, wrong }).toEqual({ found: 30, wrong: 0 });
  });

  it('finds a one-character word anywhere in a run, and not where it does not occur', async () => {
    expect(new Set(await idsFor(ada.api, '猫'))).toEqual(new Set([docs.ja]));
    expect(new Set(await idsFor(ada.api, '狗'))).toEqual(new Set([docs.zh]));
    expect(await idsFor(ada.api, '羊')).toEqual([docs.merosu]);
    expect(await idsFor(ada.api, '鯨')).toEqual([]);
  });

  it('mixes English and CJK in one query and in one document', async () => {
    expect(await idsFor(ada.api, 'population 人口')).toEqual([docs.mixed]);
    expect(await idsFor(ada.api, 'population 経済')).toEqual([]);
    expect(await idsFor(ada.api, 'unicode')).toEqual([docs.mixed]);
    expect(await idsFor(ada.api, '"東京都の人口"')).toEqual([docs.mixed]);
    expect(await idsFor(ada.api, '人間 -書生')).toEqual([]);
    expect(new Set(await idsFor(ada.api, '人間 or 历史'))).toEqual(new Set([docs.ja, docs.zh]));
  });

  it('finds a word far into a long text, past PostgreSQL’s 16,383 positions', async () => {
    const bob = await app.register();
    // 16,000 tokens of Lu Xun, then 3,000 Han characters in pairs seen nowhere else (each a new token, so
    // the positions run out), then Dazai's opening: its words lie past position 16,383.
    const filler = Array.from({ length: 3000 }, (_, i) =>
      String.fromCodePoint(0x4e00 + ((i * 7919) % 20000)),
    );
    const long = `${texts.zh.repeat(6)}\n${filler.join('')}\n${texts.merosu}`;
    const id = await extracted(bob, 'long.txt', long);
    for (const word of ['邪智暴虐', 'シラクス', '政治', '羊']) {
      expect(await idsFor(bob.api, word), word).toEqual([id]);
    }
    // Its pairs in the wrong order, or one pair missing, still find nothing.
    for (const word of ['暴虐邪智', '邪智暴君']) expect(await idsFor(bob.api, word), word).toEqual([]);
  });

  it('centres the snippet on the CJK word and marks it', async () => {
    const [item] = (await search(ada.api, '煙草')).items;
    expect(item?.documentId).toBe(docs.ja);
    expect(item?.language).toBe('ja');
    expect(item?.snippet).toContain('人間の飲む<b>煙草</b>というもの');
  });
});

describe('document.search scoping, pages and limits', () => {
  let ada: User;
  let bob: User;
  let adaFile: string;
  beforeAll(async () => {
    [ada, bob] = await Promise.all([app.register(), app.register()]);
    adaFile = await upload(ada, 'source.txt', 'source');
  });

  it('never shows another user’s documents, even for an exact phrase', async () => {
    const id = await extracted(
      ada,
      'secret.txt',
      'The quartermaster hid the brass lantern under the stairs.',
    );
    expect(await idsFor(ada.api, '"brass lantern"')).toEqual([id]);
    expect(await idsFor(bob.api, '"brass lantern"')).toEqual([]);
    expect(await idsFor(bob.api, 'quartermaster')).toEqual([]);
    // Ada's position made into a cursor by hand is no cursor of Bob's.
    const { items } = await search(ada.api, 'quartermaster');
    const cursor = Buffer.from(JSON.stringify([String(items[0]?.rank), id])).toString('base64url');
    expect(await appCodeOf(search(bob.api, 'quartermaster', { cursor }))).toBe('VALIDATION_ERROR');
  });

  it('pages through tied ranks with no repeat and no gap', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 7; i++)
      ids.add(await inserted(ada, adaFile, 'Identical memo about the heliotrope garden.'));
    ids.add(await inserted(ada, adaFile, 'Heliotrope heliotrope heliotrope: the heliotrope garden memo.'));
    const seen: string[] = [];
    const ranks: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await search(ada.api, 'heliotrope', { limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((item) => item.documentId));
      ranks.push(...page.items.map((item) => item.rank));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(8);
    expect(new Set(seen)).toEqual(ids);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    expect(new Set(ranks.slice(1)).size).toBe(1);
    // A cursor belongs to its caller and its query: Ada's real cursor is refused to Bob, and to another q.
    const { nextCursor } = await search(ada.api, 'heliotrope', { limit: 3 });
    expect(nextCursor).not.toBeNull();
    const theirs = { cursor: nextCursor ?? '' };
    expect(await appCodeOf(search(bob.api, 'heliotrope', theirs))).toBe('VALIDATION_ERROR');
    expect(await appCodeOf(search(ada.api, 'garden', theirs))).toBe('VALIDATION_ERROR');
  });

  it('indexes a multi-MB text without failing the insert, and finds words in it', async () => {
    const words = ['report', 'quarter', 'revenue', 'growth', 'market', 'customer', 'product', 'annual'];
    const body = Array.from(
      { length: 400_000 },
      (_, i) => `${words[(i * 7919) % words.length]}${i % 10 === 0 ? i % 5000 : ''}`,
    );
    const big = `Big ledger\n${body.join(' ')} finalword`;
    expect(big.length).toBeGreaterThan(2_500_000);
    const id = await inserted(ada, adaFile, big);
    expect(await idsFor(ada.api, 'ledger')).toEqual([id]);
    expect(await idsFor(ada.api, 'finalword')).toEqual([id]);
    // Every word unique: a vector far past tsvector's 1 MB. The insert still succeeds; the start is indexed.
    const unique = `Unique words\n${Array.from({ length: 600_000 }, (_, i) => `w${i}`).join(' ')}`;
    const uniqueId = await inserted(ada, adaFile, unique);
    expect(await idsFor(ada.api, 'w12')).toEqual([uniqueId]);
    const [hit] = (await search(ada.api, 'ledger')).items;
    expect(hit?.snippet).toContain('<b>ledger</b>');
  });

  it('refuses an empty, blank, too long or NUL query, and a forged cursor, with VALIDATION_ERROR', async () => {
    for (const q of ['', '   ', 'x'.repeat(201), 'a\0b']) {
      expect(await appCodeOf(search(ada.api, q)), JSON.stringify(q)).toBe('VALIDATION_ERROR');
    }
    expect((await search(ada.api, 'x'.repeat(200))).items).toEqual([]);
    // Ranks a real cannot hold (they would fail the ::real cast with a 500) and ranks outside [0, 1).
    const forged = ['1e-99', '9'.repeat(60), '1e-46', '1.5'].map((rank) =>
      Buffer.from(JSON.stringify([rank, randomUUID(), 'x'.repeat(16)])).toString('base64url'),
    );
    for (const cursor of ['nonsense', Buffer.from('["NaN","x"]').toString('base64url'), 'a\0', ...forged]) {
      expect(await appCodeOf(search(ada.api, 'memo', { cursor })), cursor).toBe('VALIDATION_ERROR');
    }
  });
});

describe('searchTokens on hostile text', () => {
  it('cuts a run of millions of letters with no space instead of overflowing the regexp stack', () => {
    // Threw "Maximum call stack size exceeded" (a file like this failed its extraction as INTERNAL, 3 times).
    const tokens = searchTokens(`吾輩は猫 ${'a'.repeat(6_000_000)} ${'猫'.repeat(3_000_000)}`);
    expect(tokens.split(' ').slice(0, 3)).toEqual(['吾輩', '輩は', 'は猫']);
    expect(tokens).toContain('猫猫');
  });
});
