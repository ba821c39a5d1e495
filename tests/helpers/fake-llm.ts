// A small OpenAI-compatible server for tests (the one stand-in allowed): real HTTP on port 0, chat
// completions streamed as SSE or as JSON, deterministic answers derived from the request, and scripted faults.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the next call gets; calls past the script get `{ kind: 'ok' }`. */
export type FakeAnswer =
  /** The deterministic answer; `latencyMs` overrides the setting for this call. */
  | {
      kind: 'ok';
      latencyMs?: number /** Answered instead of the deterministic text (streamed in words). */;
      text?: string;
    }
  | {
      kind: 'status';
      status: number;
      /** Sent as `Retry-After` (seconds). */
      retryAfterSeconds?: number;
      /** Sent as `retry-after-ms`. */
      retryAfterMs?: number;
    }
  /** Headers and nothing else until the client goes away. */
  | { kind: 'hang' }
  /** A streamed answer whose connection is destroyed after `afterChunks` content chunks. */
  | { kind: 'cut'; afterChunks: number };

export interface FakeLlmSettings {
  /** Wait before answering each call. */
  latencyMs: number;
  /** Wait between streamed chunks. */
  chunkDelayMs: number;
  /** Words in each answer: the "summary(…)" head padded with "lorem" up to this (0: the head alone). */
  answerWords: number;
  /** Words per streamed content chunk. */
  wordsPerChunk: number;
  /** Send the usage chunk when the client asks for it (some servers never do). */
  usage: boolean;
}

export interface RecordedRequest {
  model: string;
  stream: boolean;
  maxTokens: number | undefined;
  /** Each message's text (the text parts of a multi-part message, joined). */
  messages: { role: string; content: string }[];
  /** The data URLs of image parts, in order. */
  images: string[];
  /** Request headers, authorization left out. */
  headers: Record<string, string | string[] | undefined>;
}

export interface FakeLlm {
  baseURL: string;
  apiKey: string;
  model: string;
  settings: FakeLlmSettings;
  /** Answers for the next calls, in order. */
  script(...answers: FakeAnswer[]): void;
  requests: RecordedRequest[];
  /** Chat completion calls received (a key refused counts). */
  readonly calls: number;
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Calls whose client closed the connection before the answer was complete. */
  readonly closedByClient: number;
  /** Resolves once no call is in flight. */
  idle(): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

const DEFAULTS: FakeLlmSettings = {
  latencyMs: 0,
  chunkDelayMs: 0,
  answerWords: 0,
  wordsPerChunk: 3,
  usage: true,
};

/** A message as a client sends it: text, or parts of text and images. */
type SentMessage = {
  role: string;
  content: string | ({ type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } })[];
};

const textOf = (message: SentMessage | undefined) =>
  typeof message?.content === 'string'
    ? message.content
    : (message?.content ?? []).map((part) => (part.type === 'text' ? part.text : '')).join('\n');

/**
 * The fake's "vision": a PNG's tEXt Description chunk (tests/fixtures/files.ts png(text)) is the text in the
 * image; any other image has none, answered as src/llm/vision.ts asks.
 */
function textInImage(dataUrl: string): string {
  const bytes = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'tEXt' && data.toString('latin1').startsWith('Description\0')) {
      return data.toString('latin1').slice('Description\0'.length);
    }
    at += 12 + length;
  }
  return 'NO_TEXT_FOUND';
}

const wordsIn = (text: string) => text.split(/\s+/).filter(Boolean);

/** "summary(<words of the last user message> words): <its first 6 words>", padded to `answerWords`. */
export function fakeAnswerFor(messages: readonly SentMessage[], answerWords = 0): string {
  const image = messages
    .flatMap((m) => (typeof m.content === 'string' ? [] : m.content))
    .find((p) => p.type === 'image_url');
  if (image?.type === 'image_url') return textInImage(image.image_url.url);
  const user = textOf([...messages].reverse().find((m) => m.role === 'user'));
  const words = wordsIn(user);
  const head = `summary(${words.length} words): ${words.slice(0, 6).join(' ')}`;
  const pad = Math.max(0, answerWords - wordsIn(head).length);
  return pad ? `${head} ${Array.from({ length: pad }, () => 'lorem').join(' ')}` : head;
}

/** Waits `ms`, or less when the client goes away; leaves no listener behind (one per streamed chunk). */
const delay = (ms: number, res: ServerResponse) =>
  new Promise<void>((resolve) => {
    if (ms <= 0) return resolve();
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
  });

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export async function startFakeLlm(
  options: { apiKey?: string; model?: string } & Partial<FakeLlmSettings> = {},
): Promise<FakeLlm> {
  const { apiKey = 'sk-fake-test-key-0123456789', model = 'fake-model', ...settings } = options;
  let answers: FakeAnswer[] = [];
  const counters = { calls: 0, inFlight: 0, maxInFlight: 0, closedByClient: 0 };
  const idleWaiters: (() => void)[] = [];
  const fake: FakeLlm = {
    baseURL: '',
    apiKey,
    model,
    settings: { ...DEFAULTS, ...settings },
    script: (...next) => {
      answers = next;
    },
    requests: [],
    get calls() {
      return counters.calls;
    },
    get inFlight() {
      return counters.inFlight;
    },
    get maxInFlight() {
      return counters.maxInFlight;
    },
    get closedByClient() {
      return counters.closedByClient;
    },
    idle: () =>
      counters.inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve)),
    reset() {
      answers = [];
      fake.requests.length = 0;
      Object.assign(counters, { calls: 0, inFlight: 0, maxInFlight: 0, closedByClient: 0 });
      fake.settings = { ...DEFAULTS, ...settings };
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };

  async function chat(req: IncomingMessage, res: ServerResponse) {
    counters.calls++;
    counters.inFlight++;
    counters.maxInFlight = Math.max(counters.maxInFlight, counters.inFlight);
    let complete = false;
    res.once('close', () => {
      if (!complete) counters.closedByClient++;
      counters.inFlight--;
      if (counters.inFlight === 0) for (const resolve of idleWaiters.splice(0)) resolve();
    });
    const body = await readJson(req);
    const { authorization: _, ...headers } = req.headers;
    const sent = (body.messages ?? []) as SentMessage[];
    const messages = sent.map((m) => ({ role: m.role, content: textOf(m) }));
    const images = sent.flatMap((m) =>
      typeof m.content === 'string'
        ? []
        : m.content.flatMap((p) => (p.type === 'image_url' ? [p.image_url.url] : [])),
    );
    const recorded: RecordedRequest = {
      model: String(body.model),
      stream: body.stream === true,
      maxTokens: (body.max_tokens ?? body.max_completion_tokens) as number | undefined,
      messages,
      images,
      headers,
    };
    fake.requests.push(recorded);
    const answer = answers.shift() ?? { kind: 'ok' };
    const { latencyMs, chunkDelayMs, answerWords, wordsPerChunk, usage } = fake.settings;

    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      complete = true;
      return sendJson(res, 401, {
        error: {
          message: 'Incorrect API key provided.',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      });
    }
    await delay(answer.kind === 'ok' && answer.latencyMs !== undefined ? answer.latencyMs : latencyMs, res);
    if (res.destroyed) return;
    if (answer.kind === 'status') {
      const retry: Record<string, string> = {};
      if (answer.retryAfterSeconds !== undefined) retry['retry-after'] = String(answer.retryAfterSeconds);
      if (answer.retryAfterMs !== undefined) retry['retry-after-ms'] = String(answer.retryAfterMs);
      complete = true;
      return sendJson(
        res,
        answer.status,
        { error: { message: `scripted ${answer.status}`, type: 'fake' } },
        retry,
      );
    }
    if (answer.kind === 'hang') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      return;
    }

    const text =
      answer.kind === 'ok' && answer.text !== undefined ? answer.text : fakeAnswerFor(sent, answerWords);
    const promptTokens = messages.reduce((sum, m) => sum + wordsIn(m.content).length, 0);
    const completionTokens = wordsIn(text).length;
    const base = { id: `chatcmpl-${counters.calls}`, created: 0, model: recorded.model };
    if (!recorded.stream) {
      complete = true;
      return sendJson(res, 200, {
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
        usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: 0 },
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
    const words = wordsIn(text);
    const pieces: string[] = [];
    for (let i = 0; i < words.length; i += wordsPerChunk)
      pieces.push(`${i ? ' ' : ''}${words.slice(i, i + wordsPerChunk).join(' ')}`);
    for (const [i, piece] of pieces.entries()) {
      if (answer.kind === 'cut' && i === answer.afterChunks) {
        // Let what was written reach the client first: the cut must come after the stream started.
        await delay(50, res);
        res.destroy();
        return;
      }
      const last = i === pieces.length - 1;
      send({
        ...base,
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta: { content: piece }, finish_reason: last ? 'stop' : null }],
      });
      if (!last) await delay(chunkDelayMs, res);
      if (res.destroyed) return;
    }
    const streamOptions = body.stream_options as { include_usage?: boolean } | undefined;
    if (usage && streamOptions?.include_usage)
      send({
        ...base,
        object: 'chat.completion.chunk',
        choices: [],
        usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: 0 },
      });
    complete = true;
    res.end('data: [DONE]\n\n');
  }

  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/v1/models')
      return sendJson(res, 200, {
        object: 'list',
        data: [{ id: model, object: 'model', created: 0, owned_by: 'fake' }],
      });
    if (req.method === 'POST' && req.url === '/v1/chat/completions')
      return void chat(req, res).catch(() => res.destroy());
    sendJson(res, 404, { error: { message: 'not found' } });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  fake.baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return fake;
}
