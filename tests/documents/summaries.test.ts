// document.summarize end to end: a task run by the in-process worker against the fake OpenAI-compatible
// provider (the only stand-in) or the built-in summariser; the cache, map-reduce progress with a streamed
// preview, faults that fail at once or after retries, cancel (and a retry right after it), tokens in stats, the rate limit, ownership,
// delete taking the summaries along, and images made documents by a vision model. Every failure asserts its code and that no summary was written.
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import type { TaskOutput } from '../../src/modules/tasks/schemas.js';
import { png } from '../fixtures/files.js';
import { appClient, appCodeOf, registerUser, type TestUser } from '../helpers/auth.js';
import { type FakeLlm, startFakeLlm } from '../helpers/fake-llm.js';
import { uploadRaw } from '../helpers/files.js';
import { healthLatenciesDuring } from '../helpers/health-probe.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const RATE_LIMIT = 8;
let server: TestServer<AppRouter>;
let fake: FakeLlm;
let sql: postgres.Sql;
beforeAll(async () => {
  fake = await startFakeLlm();
  server = await startTestServer({
    env: {
      AUTH_RATE_LIMIT: '1000',
      // Small enough that a few pages need map-reduce, as a long document would with a real context.
      LLM_CONTEXT_TOKENS: '4096',
      LLM_CONCURRENCY: '3',
      LLM_MAX_RETRIES: '1',
      LLM_TIMEOUT_MS: '3000',
      LLM_RATE_LIMIT: String(RATE_LIMIT),
    },
  });
  sql = postgres(server.database.url, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end();
  await server?.close();
  await fake?.close();
});

const thoreau = readFileSync(new URL('../fixtures/texts/thoreau-civil-disobedience.en.txt', import.meta.url));
const kongYiji = readFileSync(new URL('../fixtures/texts/luxun-kong-yiji.zh.txt', import.meta.url));
/** About 9,000 tokens: three chunks at a 4,096-token context. */
const longText = Buffer.from(Array.from({ length: 8 }, () => thoreau.toString()).join('\n\n'));

/** A user whose own provider is the fake server (their key is what the fake expects, unless given). */
async function userWithProvider(apiKey = fake.apiKey): Promise<TestUser> {
  const user = await registerUser(server);
  await appClient(server.url, user.session.accessToken).auth.updateSettings.mutate({
    llmApiKey: apiKey,
    llmBaseUrl: fake.baseURL,
    preferredModel: fake.model,
  });
  return user;
}

async function documentOf(user: TestUser, bytes: Buffer, name = 'text.txt'): Promise<string> {
  const uploaded = await uploadRaw(server.url, user.session.accessToken, bytes, { name });
  if (!uploaded.body.file) throw new Error(`upload failed: ${JSON.stringify(uploaded.body)}`);
  const task = await runTask(user, (ws) =>
    ws.document.extract.mutate({ fileId: uploaded.body.file?.id ?? '' }),
  );
  return (task.last.result as { documentId: string }).documentId;
}

type Ws = ReturnType<TestServer<AppRouter>['as']>['ws'];

/** Starts a task and collects its states until it ends; `onState` may act on them (e.g. cancel). */
async function runTask(
  user: TestUser,
  start: (ws: Ws) => Promise<TaskOutput>,
  onState?: (state: TaskOutput, ws: Ws) => void,
) {
  const { ws } = server.as(user.session.accessToken);
  const task = await start(ws);
  const states = await new Promise<TaskOutput[]>((resolve, reject) => {
    const seen: TaskOutput[] = [];
    ws.task.onProgress.subscribe(
      { taskId: task.id },
      {
        onData: ({ data }) => {
          seen.push(data);
          onState?.(data, ws);
        },
        onError: reject,
        onComplete: () => resolve(seen),
      },
    );
  });
  const last = states.at(-1);
  if (!last) throw new Error('no task state');
  return { task, states, last };
}

const summarize = (user: TestUser, input: Parameters<Ws['document']['summarize']['mutate']>[0]) =>
  runTask(user, (ws) => ws.document.summarize.mutate(input));

/** Polls `check` until it holds; fails the test after `timeoutMs`. */
async function until(check: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const resultOf = (task: TaskOutput) => task.result as { summaryId: string; cached: boolean; model: string };

const summaryRows = async (user: TestUser) =>
  (
    await sql<
      { n: number }[]
    >`select count(*)::int as n from summaries where owner_id = ${user.session.user.id}`
  )[0]?.n;

describe('document.summarize through a provider', () => {
  it('map-reduces a long text chunk by chunk with a streamed preview, records tokens, and caches', async () => {
    const user = await userWithProvider();
    const documentId = await documentOf(user, longText);
    fake.reset();
    fake.settings.answerWords = 40;
    fake.settings.chunkDelayMs = 5;
    const { states, last } = await summarize(user, { documentId, length: 'short' });
    fake.settings.answerWords = 0;
    fake.settings.chunkDelayMs = 0;
    expect(last.status).toBe('succeeded');
    expect(resultOf(last)).toMatchObject({ cached: false, model: fake.model });

    // Three chunks in parallel (never more than LLM_CONCURRENCY), then one call to combine them.
    expect(fake.calls).toBe(4);
    expect(fake.maxInFlight).toBeLessThanOrEqual(3);
    // The key was the user's own, opened in the worker; the model theirs.
    expect(fake.requests.every((r) => r.model === fake.model)).toBe(true);
    const messages = states.map((s) => s.message ?? '');
    // Updates are coalesced (the latest wins), so not every part shows, but parts only go forward.
    const parts = messages.flatMap((m) => /^summarised part (\d) of 3$/.exec(m)?.[1] ?? []).map(Number);
    expect(parts.length).toBeGreaterThan(0);
    expect(parts).toEqual([...parts].sort());
    expect(messages.some((m) => m.startsWith('writing: …summary('))).toBe(true);
    const progress = states.map((s) => s.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    const api = appClient(server.url, user.session.accessToken);
    const { items } = await api.document.summaries.query({ documentId });
    expect(items).toHaveLength(1);
    const [summary] = items;
    expect(summary).toMatchObject({
      id: resultOf(last).summaryId,
      documentId,
      model: fake.model,
      length: 'short',
      style: 'paragraph',
      language: null,
      chunks: 3,
      calls: 4,
    });
    // The final call's answer, which names the three partial summaries it combined.
    expect(summary?.text).toMatch(/^summary\(\d+ words\): /);
    expect(summary?.promptTokens).toBeGreaterThan(2000);
    expect(summary?.completionTokens).toBeGreaterThan(0);

    const stats = await api.stats.overview.query();
    expect(stats.tokens.byModel).toEqual([
      {
        model: fake.model,
        promptTokens: summary?.promptTokens,
        completionTokens: summary?.completionTokens,
        calls: 4,
      },
    ]);
    expect(stats.documents).toMatchObject({ count: 1, summaries: 1 });

    // The same request again: the stored summary, no call.
    const again = await summarize(user, { documentId, length: 'short' });
    expect(resultOf(again.last)).toEqual({ summaryId: summary?.id, cached: true, model: fake.model });
    expect(fake.calls).toBe(4);
    // Other options are another summary.
    const bullets = await summarize(user, { documentId, length: 'short', style: 'bullets', language: 'de' });
    expect(resultOf(bullets.last).cached).toBe(false);
    expect(fake.calls).toBe(8);
    expect(
      fake.requests
        .at(-1)
        ?.messages.map((m) => m.content)
        .join('\n'),
    ).toMatch(/German/);
  });

  it('a key the provider refuses fails at once with API_KEY_INVALID and writes no summary', async () => {
    const user = await userWithProvider('sk-not-the-right-key-000');
    const documentId = await documentOf(user, thoreau);
    fake.reset();
    const { last } = await summarize(user, { documentId });
    expect(last.status).toBe('failed');
    expect(last.error?.appCode).toBe('API_KEY_INVALID');
    expect(last.attempts).toBe(1);
    expect(fake.calls).toBe(1);
    expect(await summaryRows(user)).toBe(0);
  });

  it('a provider that keeps failing ends in LLM_UNAVAILABLE after the retries, writing no summary', async () => {
    const user = await userWithProvider();
    const documentId = await documentOf(user, thoreau);
    fake.reset();
    fake.script({ kind: 'status', status: 503 }, { kind: 'status', status: 500 });
    const { last } = await summarize(user, { documentId });
    expect(last.status).toBe('failed');
    expect(last.error?.appCode).toBe('LLM_UNAVAILABLE');
    expect(last.error?.message).not.toContain(fake.apiKey);
    // One call and LLM_MAX_RETRIES=1 retry; the task itself is not retried on top.
    expect(fake.calls).toBe(2);
    expect(last.attempts).toBe(1);
    expect(await summaryRows(user)).toBe(0);
  });

  it('a 429 with Retry-After is waited out and the summary succeeds', async () => {
    const user = await userWithProvider();
    const documentId = await documentOf(user, thoreau);
    fake.reset();
    fake.script({ kind: 'status', status: 429, retryAfterSeconds: 1 });
    const started = Date.now();
    const { last } = await summarize(user, { documentId });
    expect(last.status).toBe('succeeded');
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(fake.calls).toBe(2);
  });

  it('cancel stops the calls in flight; no summary, and the tokens of finished calls stay counted', async () => {
    const user = await userWithProvider();
    const documentId = await documentOf(user, longText);
    fake.reset();
    // The three chunks go out together: two answer, the third hangs until the cancel closes it.
    fake.script({ kind: 'ok' }, { kind: 'ok' }, { kind: 'hang' });
    let cancelled = false;
    const { last } = await runTask(
      user,
      (ws) => ws.document.summarize.mutate({ documentId }),
      (state, ws) => {
        if (!cancelled && state.message === 'summarised part 2 of 3') {
          cancelled = true;
          void ws.task.cancel.mutate({ id: state.id });
        }
      },
    );
    expect(last.status).toBe('cancelled');
    await fake.idle();
    expect(fake.closedByClient).toBe(1);
    expect(fake.calls).toBe(3);
    expect(await summaryRows(user)).toBe(0);
    // The row says cancelled at once; the handler records what it spent as it unwinds, a moment later.
    const ended = () =>
      server.logs
        .lines()
        .some((line) => line.taskId === last.id && line.msg === 'task cancelled while running');
    const deadline = Date.now() + 5_000;
    while (!ended() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const [usage] = await sql<{ calls: number }[]>`
      select calls from llm_usage where owner_id = ${user.session.user.id}`;
    expect(usage?.calls).toBe(2);
  });
});

describe('task.retry of a summary cancelled mid-call', () => {
  it('closes the old run’s provider call; the old run writes nothing, the new run’s summary stands', async () => {
    const user = await userWithProvider();
    const documentId = await documentOf(user, Buffer.from('A short note that one call summarises whole.'));
    fake.reset();
    // Each call is answered after 2 s (under LLM_TIMEOUT_MS): long enough to cancel and retry inside it.
    fake.settings.latencyMs = 2_000;
    const api = appClient(server.url, user.session.accessToken);
    const task = await api.document.summarize.mutate({ documentId });
    await until(() => fake.requests.length === 1);
    // Answers are padded from here on: the summary's text says which run wrote it.
    fake.settings.answerWords = 12;
    await api.task.cancel.mutate({ id: task.id });
    await api.task.retry.mutate({ id: task.id });
    await until(() => fake.calls === 2);
    // The old run sees within a poll that the row is another job's now, and closes its call; the new one's goes on.
    await until(() => fake.closedByClient === 1, 1_800);
    expect(fake.inFlight).toBe(1);

    const { last } = await runTask(user, async () => api.task.get.query({ id: task.id }));
    fake.settings.latencyMs = 0;
    fake.settings.answerWords = 0;
    expect(last).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(resultOf(last).cached).toBe(false);
    expect(fake.calls).toBe(2);
    expect(fake.inFlight).toBe(0);
    const { items } = await api.document.summaries.query({ documentId });
    expect(items.map((summary) => summary.id)).toEqual([resultOf(last).summaryId]);
    expect(items[0]?.text).toMatch(/ lorem$/);
  });
});

describe('the same summary asked for twice at once', () => {
  it('calls the provider once: the later task waits for the earlier and answers with its summary', async () => {
    const user = await userWithProvider();
    const documentId = await documentOf(user, thoreau);
    fake.reset();
    fake.settings.latencyMs = 600;
    const [first, second] = await Promise.all([
      summarize(user, { documentId, length: 'short' }),
      summarize(user, { documentId, length: 'short' }),
    ]).finally(() => {
      fake.settings.latencyMs = 0;
    });
    expect([first.last.status, second.last.status]).toEqual(['succeeded', 'succeeded']);
    expect(fake.calls).toBe(1);
    const results = [resultOf(first.last), resultOf(second.last)];
    expect(results[0]?.summaryId).toBe(results[1]?.summaryId);
    expect(results.map((r) => r.cached).sort()).toEqual([false, true]);
    const waiter = [first, second].find((run) => resultOf(run.last).cached);
    expect(waiter?.states.some((s) => s.message?.startsWith('waiting for the same summary'))).toBe(true);
    expect(await summaryRows(user)).toBe(1);
  });
});

describe('document.summarize offline (no provider anywhere)', () => {
  it('summarises English and Chinese text with the built-in summariser, calling nothing', async () => {
    const user = await registerUser(server);
    fake.reset();
    for (const [text, name] of [
      [thoreau, 'thoreau.txt'],
      [kongYiji, '孔乙己.txt'],
    ] as const) {
      const documentId = await documentOf(user, text, name);
      const { last } = await summarize(user, { documentId, length: 'short' });
      expect(last.status, name).toBe('succeeded');
      expect(resultOf(last), name).toMatchObject({ cached: false, model: 'builtin-extractive' });
      const api = appClient(server.url, user.session.accessToken);
      const [summary] = (await api.document.summaries.query({ documentId })).items;
      expect(summary, name).toMatchObject({ model: 'builtin-extractive', calls: 0, promptTokens: 0 });
      // Sentences taken verbatim from the text.
      const source = text.toString().replace(/\s+/g, ' ');
      const sentences = [
        ...new Intl.Segmenter('und', { granularity: 'sentence' }).segment(summary?.text ?? ''),
      ]
        .map(({ segment }) => segment.trim())
        .filter(Boolean);
      expect(sentences.length, name).toBeGreaterThanOrEqual(2);
      for (const sentence of sentences) expect(source, name).toContain(sentence.trim());
    }
    expect(fake.calls).toBe(0);
    const stats = await appClient(server.url, user.session.accessToken).stats.overview.query();
    expect(stats.tokens).toEqual({ promptTokens: 0, completionTokens: 0, calls: 0, byModel: [] });
    expect(stats.documents).toMatchObject({ count: 2, summaries: 2 });
  });

  it('refuses a named model with no provider configured, before any task exists', async () => {
    const user = await registerUser(server);
    const documentId = await documentOf(user, thoreau);
    const api = appClient(server.url, user.session.accessToken);
    const tasksBefore = (await api.task.list.query({})).items.length;
    expect(await appCodeOf(api.document.summarize.mutate({ documentId, model: 'gpt-4o' }))).toBe(
      'VALIDATION_ERROR',
    );
    expect((await api.task.list.query({})).items.length).toBe(tasksBefore);
  });
});

describe('document.summarize rules', () => {
  it('is owner-scoped: another user’s document answers RESOURCE_NOT_FOUND and starts nothing', async () => {
    const [ada, bob] = await Promise.all([registerUser(server), registerUser(server)]);
    const documentId = await documentOf(ada, thoreau);
    await summarize(ada, { documentId });
    const asBob = appClient(server.url, bob.session.accessToken);
    expect(await appCodeOf(asBob.document.summarize.mutate({ documentId }))).toBe('RESOURCE_NOT_FOUND');
    expect(await appCodeOf(asBob.document.summaries.query({ documentId }))).toBe('RESOURCE_NOT_FOUND');
    expect((await asBob.task.list.query({})).items).toEqual([]);
    // A summary id of Ada's as Bob's cursor on his own document pages nowhere.
    const own = await documentOf(bob, Buffer.from('Bob has a document of his own. It is short.'));
    const adaSummary = (
      await appClient(server.url, ada.session.accessToken).document.summaries.query({ documentId })
    ).items[0]?.id;
    expect(await appCodeOf(asBob.document.summaries.query({ documentId: own, cursor: adaSummary }))).toBe(
      'VALIDATION_ERROR',
    );
  });

  it('validates its input: unknown length, a bad language tag, NUL in the model', async () => {
    const user = await registerUser(server);
    const documentId = await documentOf(user, thoreau);
    const api = appClient(server.url, user.session.accessToken);
    const bad = [
      { documentId, length: 'tiny' },
      { documentId, language: 'not a language' },
      { documentId, model: 'gpt\u0000' },
      { documentId: 'not-a-uuid' },
    ];
    for (const input of bad) {
      // @ts-expect-error: deliberately invalid input
      expect(await appCodeOf(api.document.summarize.mutate(input)), JSON.stringify(input)).toBe(
        'VALIDATION_ERROR',
      );
    }
    expect((await api.task.list.query({ type: 'document.summarize' })).items).toEqual([]);
  });

  it(`allows ${RATE_LIMIT} summaries per user per window, then RATE_LIMIT_EXCEEDED with retry-after`, async () => {
    const user = await registerUser(server);
    const documentId = await documentOf(user, thoreau);
    const api = appClient(server.url, user.session.accessToken);
    for (let i = 0; i < RATE_LIMIT; i++) await api.document.summarize.mutate({ documentId });
    const refused = await api.document.summarize.mutate({ documentId }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ data: { appCode: 'RATE_LIMIT_EXCEEDED' } });
    expect((refused as { data: { retryAfterSeconds?: number } }).data.retryAfterSeconds).toBeGreaterThan(0);
    expect((await api.task.list.query({ type: 'document.summarize', limit: 100 })).items).toHaveLength(
      RATE_LIMIT,
    );
    // Another user is not affected.
    const other = await registerUser(server);
    const theirs = await documentOf(other, thoreau);
    await appClient(server.url, other.session.accessToken).document.summarize.mutate({ documentId: theirs });
  });

  it('document.delete takes the summaries with it; the file and the spent tokens stay', async () => {
    const user = await userWithProvider();
    const documentId = await documentOf(user, thoreau);
    fake.reset();
    await summarize(user, { documentId });
    await summarize(user, { documentId, model: 'builtin-extractive' });
    expect(await summaryRows(user)).toBe(2);
    const api = appClient(server.url, user.session.accessToken);
    await api.document.delete.mutate({ id: documentId });
    expect(await summaryRows(user)).toBe(0);
    expect((await api.file.list.query({})).items).toHaveLength(1);
    expect((await api.stats.overview.query()).tokens.calls).toBe(1);
    expect(await appCodeOf(api.document.summaries.query({ documentId }))).toBe('RESOURCE_NOT_FOUND');
  });
});

describe('document.extract of images through a vision model', () => {
  const INVOICE =
    'The invoice number is 42 and the total due is 17 euros, which has to be paid by the end of the month.';
  const extractImage = async (user: TestUser, bytes: Buffer) => {
    const uploaded = await uploadRaw(server.url, user.session.accessToken, bytes, { name: 'scan.png' });
    const fileId = uploaded.body.file?.id ?? '';
    return runTask(user, (ws) => ws.document.extract.mutate({ fileId }));
  };
  const documentRows = async (user: TestUser) =>
    (
      await sql<
        { n: number }[]
      >`select count(*)::int as n from documents where owner_id = ${user.session.user.id}`
    )[0]?.n;

  it('transcribes a PNG with the user’s vision model into a document, counting its tokens', async () => {
    const user = await userWithProvider();
    await appClient(server.url, user.session.accessToken).auth.updateSettings.mutate({
      visionModel: 'fake-vision',
    });
    fake.reset();
    const { last } = await extractImage(user, png(INVOICE));
    expect(last.status).toBe('succeeded');
    const { documentId } = last.result as { documentId: string };
    const api = appClient(server.url, user.session.accessToken);
    expect(await api.document.get.query({ id: documentId })).toMatchObject({
      pages: null,
      words: 23,
      language: 'en',
    });
    const text = await fetch(`${server.url}/documents/${documentId}/text`, {
      headers: { authorization: `Bearer ${user.session.accessToken}` },
    });
    expect(await text.text()).toBe(INVOICE);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.model).toBe('fake-vision');
    expect(fake.requests[0]?.images[0]).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    expect((await api.stats.overview.query()).tokens.byModel).toMatchObject([
      { model: 'fake-vision', calls: 1 },
    ]);
  });

  it('fails with FILE_TYPE_INVALID when the image holds no text, or no vision model is set; no document', async () => {
    const withVision = await userWithProvider();
    await appClient(server.url, withVision.session.accessToken).auth.updateSettings.mutate({
      visionModel: 'fake-vision',
    });
    const blank = await extractImage(withVision, png());
    expect(blank.last.status).toBe('failed');
    expect(blank.last.error).toMatchObject({
      appCode: 'FILE_TYPE_INVALID',
      message: expect.stringMatching(/no text/),
    });
    expect(blank.last.attempts).toBe(1);
    expect(await documentRows(withVision)).toBe(0);

    const withoutVision = await userWithProvider();
    fake.reset();
    const refused = await extractImage(withoutVision, png('Some text.'));
    expect(refused.last.error).toMatchObject({
      appCode: 'FILE_TYPE_INVALID',
      message: expect.stringMatching(/none is configured/),
    });
    expect(fake.calls).toBe(0);
    expect(await documentRows(withoutVision)).toBe(0);
  });

  it('a refused key fails the extraction with API_KEY_INVALID at once; no document', async () => {
    const user = await userWithProvider('sk-not-the-right-key-000');
    await appClient(server.url, user.session.accessToken).auth.updateSettings.mutate({
      visionModel: 'fake-vision',
    });
    const { last } = await extractImage(user, png('Some text.'));
    expect(last.error?.appCode).toBe('API_KEY_INVALID');
    expect(last.attempts).toBe(1);
    expect(await documentRows(user)).toBe(0);
  });
});

describe('the event loop while the offline summariser ranks a large text', () => {
  it('/health keeps answering within half a second', async () => {
    const user = await registerUser(server);
    // About 3 MB of varied English: the ranking costs seconds of CPU, which must not be the API's.
    const paragraphs = thoreau.toString().split(/\n\s*\n/);
    const big = Array.from({ length: 700 }, (_, i) =>
      paragraphs.map((p) => p.replace(/\bgovernment\b/g, `government ${i}`)).join('\n\n'),
    ).join('\n\n');
    const documentId = await documentOf(user, Buffer.from(big), 'big.txt');
    const running = summarize(user, { documentId, length: 'long' });
    const latencies = await healthLatenciesDuring(server.url, running, 20);
    expect((await running).last.status).toBe('succeeded');
    expect(latencies.length).toBeGreaterThan(5);
    expect(Math.max(...latencies)).toBeLessThan(500);
  });
});
