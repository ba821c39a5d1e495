// A REST caller written the way a TypeScript team outside this repo would: types generated from GET
// /openapi.json by openapi-typescript (into ./generated, by tests/http/openapi-client.test.ts), calls made with
// openapi-fetch. Type-checked on its own (tsconfig.json here) against the live document, then run with tsx
// against the live server: a document that drifts from the code (a renamed field, a path, a status) fails one
// or the other. Prints what it saw as one JSON line for the test to check.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './generated/openapi.js';

type Task = paths['/api/tasks/{id}']['get']['responses']['200']['content']['application/json'];
type TokenResponse = components['schemas']['TokenResponse'];

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const baseUrl = env('DOCRPC_URL');

function fail(step: string, status: number, error: unknown): never {
  throw new Error(`${step}: ${status} ${JSON.stringify(error)}`);
}

const api = createClient<paths>({ baseUrl });

// The OAuth2 password grant, form-encoded as RFC 6749 says (openapi-fetch encodes it for this content type).
const token = await api.POST('/api/auth/token', {
  body: { grant_type: 'password', username: env('DOCRPC_USERNAME'), password: env('DOCRPC_PASSWORD') },
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});
if (!token.data) fail('token', token.response.status, token.error);
const tokenAnswer: TokenResponse = token.data;
const bearer: Middleware = {
  onRequest({ request }) {
    request.headers.set('authorization', `Bearer ${tokenAnswer.access_token}`);
    return request;
  },
};
api.use(bearer);

// The raw-body upload. OpenAPI 3.1 describes raw bytes as a string with contentMediaType, so the generated
// body type is `string`: a text file goes as it is (binary bytes would need a cast, or plain fetch).
const text = env('DOCRPC_TEXT');
const upload = await api.POST('/files', {
  params: { query: { name: 'notes.txt', tags: 'openapi,client' } },
  body: text,
  bodySerializer: (body) => body,
  headers: { 'content-type': 'application/octet-stream' },
});
if (!upload.data) fail('upload', upload.response.status, upload.error);
const file = upload.data.file;

/** Polls the task a 202 named (its Location) until it ends. */
async function follow(location: string | null, taskId: string): Promise<Task> {
  if (location !== `/api/tasks/${taskId}`) throw new Error(`Location ${location} does not name ${taskId}`);
  for (let attempt = 0; attempt < 300; attempt++) {
    const polled = await api.GET('/api/tasks/{id}', { params: { path: { id: taskId } } });
    if (!polled.data) fail('poll', polled.response.status, polled.error);
    if (polled.data.status !== 'queued' && polled.data.status !== 'running') return polled.data;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`task ${taskId} did not end`);
}

const extract = await api.POST('/api/documents', { body: { fileId: file.id } });
if (!extract.data) fail('extract', extract.response.status, extract.error);
const extracted = await follow(extract.response.headers.get('location'), extract.data.id);
// A task's result is free-form in the document (each task type has its own): read it as the caller must.
const result = extracted.result as { documentId?: unknown } | null;
if (extracted.status !== 'succeeded' || typeof result?.documentId !== 'string') {
  throw new Error(`extraction ended ${extracted.status}: ${JSON.stringify(extracted.error)}`);
}
const documentId = result.documentId;

const document = await api.GET('/api/documents/{id}', { params: { path: { id: documentId } } });
if (!document.data) fail('document', document.response.status, document.error);

const summarize = await api.POST('/api/documents/{documentId}/summaries', {
  params: { path: { documentId } },
  body: { length: 'short', style: 'paragraph' },
});
if (!summarize.data) fail('summarize', summarize.response.status, summarize.error);
const summarized = await follow(summarize.response.headers.get('location'), summarize.data.id);

const summaries = await api.GET('/api/documents/{documentId}/summaries', {
  params: { path: { documentId }, query: { limit: 10 } },
});
if (!summaries.data) fail('summaries', summaries.response.status, summaries.error);

const files = await api.GET('/api/files', { params: { query: { tag: 'openapi' } } });
if (!files.data) fail('files', files.response.status, files.error);

const download = await api.GET('/documents/{id}/text', {
  params: { path: { id: documentId } },
  parseAs: 'text',
});
if (download.data === undefined) fail('download', download.response.status, download.error);

process.stdout.write(
  `${JSON.stringify({
    tokenType: tokenAnswer.token_type,
    file: { id: file.id, name: file.name, tags: file.tags },
    extractStatus: extract.response.status,
    extracted: extracted.status,
    documentId,
    documentWords: document.data.words,
    // Dates are date-time strings: this must parse back to the same instant.
    documentCreatedAt: document.data.createdAt,
    summarizeStatus: summarize.response.status,
    summarized: summarized.status,
    summaries: summaries.data.items.map((summary) => ({ model: summary.model, text: summary.text })),
    listedFiles: files.data.items.map((item) => item.id),
    downloaded: download.data,
  })}\n`,
);
