// A shorter road for the commonest call there is: one GET query (`/trpc/file.list?input=…`), not batched,
// not streamed. tRPC's resolveResponse takes every request through Fetch-API objects (a Request made
// from the IncomingMessage, a Response, its body read back into a Buffer): about 250 µs of the ~1.7 ms
// file.list costs (bench/README.md). Here the procedure is called with the same public building blocks
// tRPC's adapters use (callTRPCProcedure, getTRPCErrorShape, transformTRPCResponse, getHTTPStatusCode)
// and the answer is written directly. Anything else, or anything unusual about the request, returns false
// before any work is done and goes the usual way; a test holds both roads to the same bytes.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import {
  type AnyTRPCRouter,
  callTRPCProcedure,
  getTRPCErrorFromUnknown,
  getTRPCErrorShape,
  TRPCError,
  type TRPCError as TRPCErrorType,
  transformTRPCResponse,
} from '@trpc/server';
import { getHTTPStatusCode } from '@trpc/server/http';
import type { Context } from '../trpc/context.js';

export interface SingleQueryOptions {
  router: AnyTRPCRouter;
  createContext(req: IncomingMessage): Context;
  onError(opts: { error: TRPCErrorType; path: string; ctx: Context | undefined }): void;
  /** Extra headers for a failed call (Retry-After). */
  errorHeaders(error: TRPCErrorType): Record<string, string>;
}

/** What resolveResponse needs the URL and headers for, when none of it changes the answer. */
export function plainQueryOf(
  req: { method?: string | undefined; headers: IncomingHttpHeaders },
  url: string,
  prefix: string,
) {
  if (req.method !== 'GET' || !url.startsWith(prefix)) return undefined;
  // A content type (even JSON), a streaming accept header or a batch: tRPC's own road.
  if (req.headers['content-type'] !== undefined || req.headers['trpc-accept'] !== undefined) return undefined;
  if (req.headers.accept?.includes('jsonl')) return undefined;
  const query = url.indexOf('?');
  const path = url.slice(prefix.length, query === -1 ? undefined : query);
  if (path === '' || /[,%/]/.test(path)) return undefined;
  if (query === -1) return { path, input: undefined };
  const search = url.slice(query + 1);
  // Only `input=`: batch=1, connectionParams or anything else goes the usual way.
  if (!search.startsWith('input=') || search.includes('&')) return undefined;
  return { path, input: search.slice('input='.length) };
}

/** Handles the request and returns true, or returns false having touched nothing. */
export async function trySingleQuery(
  options: SingleQueryOptions,
  prefix: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const plain = plainQueryOf(req, req.url ?? '/', prefix);
  if (!plain) return false;
  const { router } = options;
  const procedure = router._def.procedures[plain.path] as { _def?: { type?: unknown } } | undefined;
  if (procedure?._def?.type !== 'query') return false;
  const config = router._def._config;
  let input: unknown;
  try {
    input =
      plain.input === undefined || plain.input === ''
        ? undefined
        : // As URLSearchParams reads it: '+' is a space.
          config.transformer.input.deserialize(
            JSON.parse(decodeURIComponent(plain.input.replaceAll('+', ' '))),
          );
  } catch {
    return false; // tRPC's road answers malformed input with its own PARSE_ERROR
  }

  const abort = new AbortController();
  res.once('close', () => abort.abort());
  let ctx: Context | undefined;
  let status = 200;
  let body: unknown;
  let error: TRPCErrorType | undefined;
  try {
    ctx = options.createContext(req);
    const data = await callTRPCProcedure({
      router,
      path: plain.path,
      getRawInput: async () => input,
      ctx,
      type: 'query',
      signal: abort.signal,
      batchIndex: 0,
    });
    if (isStreamLike(data)) {
      throw new TRPCError({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'Cannot use stream-like response in non-streaming request - use httpBatchStreamLink',
      });
    }
    body = transformTRPCResponse(config, { result: { data } });
  } catch (cause) {
    error = getTRPCErrorFromUnknown(cause);
    options.onError({ error, path: plain.path, ctx });
    const shape = getTRPCErrorShape({ config, ctx, error, input, path: plain.path, type: 'query' });
    body = transformTRPCResponse(config, { error: shape });
    // From the shape, as resolveResponse does: the error formatter may set data.httpStatus.
    status = getHTTPStatusCode([{ error: shape }], [error]);
  }
  const payload = Buffer.from(JSON.stringify(body));
  res.statusCode = status;
  res.setHeader('vary', 'trpc-accept, accept');
  res.setHeader('content-type', 'application/json');
  if (error)
    for (const [name, value] of Object.entries(options.errorHeaders(error))) res.setHeader(name, value);
  res.setHeader('content-length', payload.length);
  res.end(payload);
  return true;
}

/** What resolveResponse refuses to send as plain JSON: an async iterable, or an object holding promises. */
function isStreamLike(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (Symbol.asyncIterator in value) return true;
  return Object.values(value).some(
    (v) =>
      (isObject(v) && typeof (v as { then?: unknown }).then === 'function') ||
      (isObject(v) && Symbol.asyncIterator in v),
  );
}

const isObject = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
