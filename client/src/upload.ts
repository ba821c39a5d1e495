// uploadFile: bytes to file.upload with real progress. Node sends a streamed fetch body and counts what the HTTP
// client takes (it takes no more than the socket accepts); browsers use XMLHttpRequest, whose upload events count
// bytes sent (fetch upload streams need HTTP/2 in Chrome and are missing elsewhere).
import { TRPCClientError } from '@trpc/client';
import superjson from 'superjson';
import type { FileOutput } from './contract.js';
import { isUnauthorized } from './errors.js';
import type { Session } from './session.js';

/** A browser File or Blob, bytes, a web ReadableStream, or any async iterable of bytes (a Node Readable). */
export type UploadBody = Blob | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

export interface UploadProgress {
  /** Bytes sent so far. */
  sent: number;
  /** The whole size when known (File, Blob, bytes), null for a stream. */
  total: number | null;
}

export interface UploadOptions {
  /** Defaults to a File's own name. */
  name?: string;
  tags?: string[];
  /** What the caller says it is; the server checks the content anyway. */
  contentType?: string;
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}

interface Transport {
  url: string;
  session: Session;
  headers: () => Record<string, string | undefined>;
}

export async function uploadWith(
  transport: Transport,
  body: UploadBody,
  options: UploadOptions = {},
): Promise<FileOutput> {
  const blob = body instanceof Uint8Array ? new Blob([new Uint8Array(body)]) : body;
  const total = blob instanceof Blob ? blob.size : null;
  const name = options.name ?? (isNamed(blob) ? blob.name : undefined);
  const meta = {
    ...(name ? { name } : {}),
    tags: options.tags ?? [],
    ...(options.contentType ? { contentType: options.contentType } : {}),
    ...(total !== null ? { size: total } : {}),
  };
  const send = async () => {
    const token = await transport.session.accessToken();
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream',
      'x-docrpc-upload': toBase64Url(JSON.stringify(meta)),
    };
    for (const [key, value] of Object.entries(transport.headers()))
      if (value !== undefined) headers[key] = value;
    if (token) headers.authorization = `Bearer ${token}`;
    const request = { url: `${transport.url}/file.upload`, headers, total, signal: options.signal };
    const answer = browserXhr()
      ? await sendWithXhr(
          request,
          blob instanceof Blob ? blob : await new Response(toStream(blob)).blob(),
          options,
        )
      : await sendWithFetch(request, blob, options);
    return decode(answer);
  };
  const seen = transport.session.generation();
  try {
    return await send();
  } catch (error) {
    // A File or Blob can go again with a fresh token; a stream is spent.
    if (!(blob instanceof Blob) || !isUnauthorized(error) || !(await transport.session.renew(seen)))
      throw error;
    return send();
  }
}

interface Request {
  url: string;
  headers: Record<string, string>;
  total: number | null;
  signal: AbortSignal | undefined;
}

interface Answer {
  status: number;
  text: string;
}

async function sendWithFetch(
  request: Request,
  body: Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  options: UploadOptions,
): Promise<Answer> {
  let sent = 0;
  const counted = countedStream(toStream(body), (bytes) => {
    sent += bytes;
    options.onProgress?.({ sent, total: request.total });
  });
  const init: RequestInit & { duplex: 'half' } = {
    method: 'POST',
    headers: request.headers,
    body: counted,
    duplex: 'half', // a streamed request body (Node's fetch requires saying so)
    ...(request.signal ? { signal: request.signal } : {}),
  };
  const response = await fetch(request.url, init);
  return { status: response.status, text: await response.text() };
}

/** Progress steps: a Blob's stream may be one chunk of the whole file (Node's is). */
const PROGRESS_CHUNK_BYTES = 64 * 1024;

/**
 * Hands the source on in pieces of at most 64 KiB, each counted when the HTTP client pulls it. The HTTP client
 * pulls no faster than the socket drains, so the count is what was sent, give or take the socket's buffers.
 */
function countedStream(source: ReadableStream<Uint8Array>, onPulled: (bytes: number) => void) {
  const reader = source.getReader();
  let rest: Uint8Array = new Uint8Array(0);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        while (rest.byteLength === 0) {
          const next = await reader.read();
          if (next.done) return controller.close();
          rest = next.value;
        }
        const piece = rest.subarray(0, PROGRESS_CHUNK_BYTES);
        rest = rest.subarray(piece.byteLength);
        controller.enqueue(piece);
        onPulled(piece.byteLength);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}

/** The slice of XMLHttpRequest used here (declared locally: the package builds without the DOM library). */
interface Xhr {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: Blob): void;
  abort(): void;
  readonly status: number;
  readonly responseText: string;
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  upload: { onprogress: ((event: { loaded: number }) => void) | null };
}

function browserXhr(): (new () => Xhr) | undefined {
  return (globalThis as { XMLHttpRequest?: new () => Xhr }).XMLHttpRequest;
}

function sendWithXhr(request: Request, blob: Blob, options: UploadOptions): Promise<Answer> {
  const XhrClass = browserXhr();
  if (!XhrClass) throw new Error('XMLHttpRequest is not available');
  return new Promise((resolve, reject) => {
    const xhr = new XhrClass();
    const onAbort = () => xhr.abort();
    const settle = () => request.signal?.removeEventListener('abort', onAbort);
    xhr.open('POST', request.url);
    // Browsers set content-length themselves and refuse to be told.
    for (const [key, value] of Object.entries(request.headers)) xhr.setRequestHeader(key, value);
    xhr.upload.onprogress = (event) => options.onProgress?.({ sent: event.loaded, total: blob.size });
    xhr.onload = () => {
      settle();
      resolve({ status: xhr.status, text: xhr.responseText });
    };
    xhr.onerror = () => {
      settle();
      reject(TRPCClientError.from(new Error('Upload failed: network error')));
    };
    xhr.onabort = () => {
      settle();
      reject(
        TRPCClientError.from(
          request.signal?.reason instanceof Error ? request.signal.reason : new Error('Upload aborted'),
        ),
      );
    };
    if (request.signal?.aborted) return onAbort();
    request.signal?.addEventListener('abort', onAbort);
    xhr.send(blob);
  });
}

/** tRPC's single-call answer: `{ result: { data } }` or `{ error }`, both superjson-encoded. */
function decode(answer: Answer): FileOutput {
  let body: { result?: { data?: unknown }; error?: unknown };
  try {
    body = JSON.parse(answer.text) as typeof body;
  } catch {
    throw TRPCClientError.from(new Error(`Upload failed: HTTP ${answer.status} without a tRPC answer`));
  }
  if (body.error !== undefined) {
    const error = superjson.deserialize(body.error as Parameters<typeof superjson.deserialize>[0]);
    throw TRPCClientError.from({ error } as Parameters<typeof TRPCClientError.from>[0]);
  }
  return superjson.deserialize(
    body.result?.data as Parameters<typeof superjson.deserialize>[0],
  ) as FileOutput;
}

function toStream(
  body: Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
): ReadableStream<Uint8Array> {
  if (body instanceof Blob) return body.stream();
  if (body instanceof ReadableStream) return body;
  const iterator = body[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel(reason) {
      await iterator.return?.(reason);
    },
  });
}

function isNamed(body: unknown): body is Blob & { name: string } {
  return typeof (body as { name?: unknown }).name === 'string';
}

/** Works in browsers and Node alike (no Buffer). */
export function toBase64Url(text: string): string {
  let binaryText = '';
  for (const byte of new TextEncoder().encode(text)) binaryText += String.fromCharCode(byte);
  return btoa(binaryText).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
