// document.* end to end: extraction as a task run by the in-process worker (progress per page, the result
// naming the document and whether it was reused), the text download, lists, delete, failures that leave no
// row, owner scoping and scopes, and the API's event loop staying free while a large PDF is parsed.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import type { TaskOutput } from '../../src/modules/tasks/schemas.js';
import { makeDocx } from '../fixtures/docx.js';
import { png } from '../fixtures/files.js';
import { makePdf } from '../fixtures/pdf.js';
import { appClient, appCodeOf, registerUser, type TestUser } from '../helpers/auth.js';
import { uploadRaw } from '../helpers/files.js';
import { healthLatenciesDuring } from '../helpers/health-probe.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer<AppRouter>;
let ada: TestUser;
let bob: TestUser;
let sql: postgres.Sql;
beforeAll(async () => {
  server = await startTestServer({ env: { AUTH_RATE_LIMIT: '1000' } });
  [ada, bob] = await Promise.all([registerUser(server), registerUser(server)]);
  sql = postgres(server.database.url, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end();
  await server?.close();
});

const THREE_PAGES = [
  ['Annual report 2026', 'Revenue grew in every quarter.'],
  ['The second page talks about costs.'],
  ['The third page is the outlook.'],
];
const THREE_PAGES_TEXT =
  'Annual report 2026\nRevenue grew in every quarter.\fThe second page talks about costs.\fThe third page is the outlook.';

async function upload(user: TestUser, bytes: Buffer, name: string): Promise<string> {
  const result = await uploadRaw(server.url, user.session.accessToken, bytes, { name });
  if (!result.body.file) throw new Error(`upload failed: ${JSON.stringify(result.body)}`);
  return result.body.file.id;
}

/** Starts document.extract and collects the task's states until it ends. */
async function extract(user: TestUser, fileId: string) {
  const { ws } = server.as(user.session.accessToken);
  const task = await ws.document.extract.mutate({ fileId });
  const states = await new Promise<TaskOutput[]>((resolve, reject) => {
    const seen: TaskOutput[] = [];
    ws.task.onProgress.subscribe(
      { taskId: task.id },
      { onData: ({ data }) => seen.push(data), onError: reject, onComplete: () => resolve(seen) },
    );
  });
  const last = states.at(-1);
  if (!last) throw new Error('no task state');
  return { task, states, last };
}

const resultOf = (task: TaskOutput) => task.result as { documentId: string; reused: boolean };

const documentsOf = async (user: TestUser) =>
  (
    await sql<
      { n: number }[]
    >`select count(*)::int as n from documents where owner_id = ${user.session.user.id}`
  )[0]?.n;

const getText = (user: TestUser | string, documentId: string) =>
  fetch(`${server.url}/documents/${documentId}/text`, {
    headers: { authorization: `Bearer ${typeof user === 'string' ? user : user.session.accessToken}` },
  });

describe('document.extract', () => {
  it('extracts a multi-page PDF with progress per page; get and the text download show it', async () => {
    const fileId = await upload(ada, makePdf(THREE_PAGES), 'annual report.pdf');
    const { task, states, last } = await extract(ada, fileId);
    expect(task).toMatchObject({ type: 'document.extract', status: 'queued', input: { fileId } });
    expect(last.status).toBe('succeeded');
    expect(resultOf(last).reused).toBe(false);
    const pageMessages = states.map((s) => s.message).filter((m) => m?.startsWith('page '));
    // Updates may be coalesced, but the last page is always reported, and pages only go forward.
    expect(pageMessages.at(-1)).toBe('page 3 of 3');
    expect(pageMessages).toEqual([...pageMessages].sort());
    const progress = states.map((s) => s.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    const api = appClient(server.url, ada.session.accessToken);
    const document = await api.document.get.query({ id: resultOf(last).documentId });
    expect(document).toMatchObject({ fileId, pages: 3, words: 20, language: 'en' });
    expect(document.extractionMs).toBeGreaterThanOrEqual(0);
    expect(document).not.toHaveProperty('text');

    const response = await getText(ada, document.id);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="annual report.txt"');
    expect(await response.text()).toBe(THREE_PAGES_TEXT);
  });

  it('returns the existing document for the same content again, from the same file or another', async () => {
    const bytes = makeDocx(['# Minutes', 'We agreed on everything.']);
    const first = await extract(ada, await upload(ada, bytes, 'minutes.docx'));
    expect(resultOf(first.last)).toMatchObject({ reused: false });
    const again = await extract(ada, await upload(ada, bytes, 'minutes copy.docx'));
    expect(resultOf(again.last)).toEqual({ documentId: resultOf(first.last).documentId, reused: true });
    const text = await (await getText(ada, resultOf(first.last).documentId)).text();
    expect(text).toBe('Minutes\n\nWe agreed on everything.');
  });

  it('fails encrypted, corrupt and textless PDFs and images at once with FILE_TYPE_INVALID, writing nothing', async () => {
    const carol = await registerUser(server);
    const cases = [
      [makePdf([['Secret']], { userPassword: 'pw' }), 'locked.pdf', /encrypted/],
      [Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog'), 'broken.pdf', /damaged/],
      [makePdf([[]]), 'scan.pdf', /no text layer/],
      [png(), 'photo.png', /only by a vision-capable model, and none is configured/],
    ] as const;
    for (const [bytes, name, message] of cases) {
      const { last } = await extract(carol, await upload(carol, bytes, name));
      expect(last.status, name).toBe('failed');
      expect(last.error?.appCode, name).toBe('FILE_TYPE_INVALID');
      expect(last.error?.message, name).toMatch(message);
      // Retrying cannot change the content's verdict: one attempt.
      expect(last.attempts, name).toBe(1);
    }
    expect(await documentsOf(carol)).toBe(0);
  });

  it('is owner-scoped: another user’s file, document and text answer RESOURCE_NOT_FOUND', async () => {
    const fileId = await upload(ada, Buffer.from('private notes of ada\n'), 'notes.txt');
    const { last } = await extract(ada, fileId);
    const documentId = resultOf(last).documentId;
    const asBob = appClient(server.url, bob.session.accessToken);
    expect(await appCodeOf(asBob.document.extract.mutate({ fileId }))).toBe('RESOURCE_NOT_FOUND');
    expect(await appCodeOf(asBob.document.get.query({ id: documentId }))).toBe('RESOURCE_NOT_FOUND');
    expect(await appCodeOf(asBob.document.delete.mutate({ id: documentId }))).toBe('RESOURCE_NOT_FOUND');
    const response = await getText(bob, documentId);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { data: { appCode: string } } }).error.data.appCode).toBe(
      'RESOURCE_NOT_FOUND',
    );
    expect((await asBob.document.list.query({})).items).toEqual([]);
    expect(await appCodeOf(asBob.document.list.query({ cursor: documentId }))).toBe('VALIDATION_ERROR');
  });

  it('needs documents:write to extract and documents:read to read, for API tokens', async () => {
    const api = appClient(server.url, ada.session.accessToken);
    const fileId = await upload(ada, Buffer.from('scoped\n'), 'scoped.txt');
    const { secret: readOnly } = await api.auth.createToken.mutate({ name: 'r', scopes: ['documents:read'] });
    const { secret: filesOnly } = await api.auth.createToken.mutate({ name: 'f', scopes: ['files:read'] });
    expect(await appCodeOf(appClient(server.url, readOnly).document.extract.mutate({ fileId }))).toBe(
      'FORBIDDEN',
    );
    const { items } = await appClient(server.url, readOnly).document.list.query({ limit: 1 });
    const id = items[0]?.id ?? '';
    expect((await getText(readOnly, id)).status).toBe(200);
    expect((await getText(filesOnly, id)).status).toBe(403);
    expect(await appCodeOf(appClient(server.url, filesOnly).document.get.query({ id }))).toBe('FORBIDDEN');
  });
});

describe('cancelling an extraction', () => {
  it('stops the parse mid-document and writes no document', async () => {
    const erin = await registerUser(server);
    const pages = Array.from({ length: 3000 }, (_, i) => [`Page ${i + 1} of a document nobody will read.`]);
    const fileId = await upload(erin, makePdf(pages), 'long.pdf');
    const { ws } = server.as(erin.session.accessToken);
    const task = await ws.document.extract.mutate({ fileId });
    const final = await new Promise<TaskOutput>((resolve, reject) => {
      let cancelling = false;
      ws.task.onProgress.subscribe(
        { taskId: task.id },
        {
          onData: ({ data }) => {
            if (!cancelling && data.message?.startsWith('page ')) {
              cancelling = true;
              ws.task.cancel.mutate({ id: task.id }).catch(reject);
            }
            if (['succeeded', 'failed', 'cancelled'].includes(data.status)) resolve(data);
          },
          onError: reject,
        },
      );
    });
    expect(final.status).toBe('cancelled');
    expect(final.message).not.toBe('page 3000 of 3000');
    // The handler ends long before 3000 pages could be parsed: the thread was stopped, not left to finish.
    const ended = () =>
      server.logs
        .lines()
        .some((line) => line.taskId === task.id && line.msg === 'task cancelled while running');
    const deadline = Date.now() + 5_000;
    while (!ended() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ended()).toBe(true);
    expect(await documentsOf(erin)).toBe(0);
  });
});

describe('document.list and document.delete', () => {
  it('pages newest first by cursor; delete removes the document and keeps the file', async () => {
    const dave = await registerUser(server);
    const api = appClient(server.url, dave.session.accessToken);
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const { last } = await extract(
        dave,
        await upload(dave, Buffer.from(`document number ${n}\n`), `${n}.txt`),
      );
      ids.push(resultOf(last).documentId);
    }
    const first = await api.document.list.query({ limit: 2 });
    expect(first.items.map((d) => d.id)).toEqual([ids[2], ids[1]]);
    expect(first.nextCursor).toBe(ids[1]);
    const second = await api.document.list.query({ limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });

    const doomed = await api.document.get.query({ id: ids[0] ?? '' });
    expect(await api.document.delete.mutate({ id: doomed.id })).toEqual({ ok: true });
    expect(await appCodeOf(api.document.get.query({ id: doomed.id }))).toBe('RESOURCE_NOT_FOUND');
    expect((await getText(dave, doomed.id)).status).toBe(404);
    expect(await api.file.get.query({ id: doomed.fileId })).toMatchObject({ id: doomed.fileId });
    // Extracting again makes a new document.
    const { last } = await extract(dave, doomed.fileId);
    expect(resultOf(last).reused).toBe(false);
  });
});

describe('the event loop while a large PDF is parsed', () => {
  it('/health keeps answering within a second', async () => {
    const pages = Array.from({ length: 1500 }, (_, i) =>
      Array.from({ length: 20 }, (_, line) => `Page ${i + 1}, line ${line + 1}: some words to parse here.`),
    );
    const fileId = await upload(ada, makePdf(pages), 'large.pdf');
    const running = extract(ada, fileId);
    const latencies = await healthLatenciesDuring(server.url, running, 50);
    const { last } = await running;
    expect(last.status).toBe('succeeded');
    expect(latencies.length).toBeGreaterThan(3);
    expect(Math.max(...latencies)).toBeLessThan(1_000);
    const document = await appClient(server.url, ada.session.accessToken).document.get.query({
      id: resultOf(last).documentId,
    });
    expect(document.pages).toBe(1500);
  });
});
