// A shorter road for the commonest call there is: one GET query (`/trpc/file.list?input=…`), not batched,
// not streamed. tRPC's resolveResponse takes every request through Fetch-API objects (a Request made
// from the IncomingMessage, a Response, its body read back into a Buffer): about 250 µs of the ~1.7 ms
// file.list costs (bench/README.md, "Short road"). Here the procedure is called with the same public building blocks
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
  onError(opts: { error: TRPCErrorType; path: string | undefined; ctx: Context | undefined }): void;
  /** Extra headers for a failed call (Retry-After). */
  errorHeaders(error: TRPCErrorType): Record<string, string>;
  /** Called once the request is known to take the short road (a debug log line). */
  onShortRoad?(req: IncomingMessage): void;
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
  // A raw '#' would end the URL for tRPC's parser; leave such requests to it.
  if (url.includes('#')) return undefined;
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
  options.onShortRoad?.(req);

  const abort = new AbortController();
  // As tRPC's node adapter: only a response cut short aborts the call.
  res.once('close', () => {
    if (!res.writableEnded) abort.abort();
  });
  let ctx: Context | undefined;
  let outcome: { data: unknown } | Failure;
  // The call itself: its failures are reported with the procedure's path and input, as tRPC does.
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
    outcome = { data };
  } catch (cause) {
    outcome = failure(options, cause, { ctx, path: plain.path, input });
  }
  let body: string;
  // Turning the outcome into JSON: tRPC reports these failures without a path or input.
  try {
    if ('data' in outcome && isDataStream(outcome.data)) {
      throw new TRPCError({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'Cannot use stream-like response in non-streaming request - use httpBatchStreamLink',
      });
    }
    body = JSON.stringify(
      transformTRPCResponse(
        config,
        'data' in outcome ? { result: { data: outcome.data } } : { error: outcome.shape },
      ),
    );
  } catch (cause) {
    outcome = failure(options, cause, { ctx, path: undefined, input: undefined });
    body = JSON.stringify(transformTRPCResponse(config, { error: outcome.shape }));
  }
  const payload = Buffer.from(body);
  res.statusCode = 'error' in outcome ? getHTTPStatusCode([{ error: outcome.shape }], [outcome.error]) : 200;
  res.setHeader('vary', 'trpc-accept, accept');
  res.setHeader('content-type', 'application/json');
  if ('error' in outcome) {
    for (const [name, value] of Object.entries(options.errorHeaders(outcome.error)))
      res.setHeader(name, value);
  }
  res.setHeader('content-length', payload.length);
  res.end(payload);
  return true;
}

interface Failure {
  shape: ReturnType<typeof getTRPCErrorShape>;
  error: TRPCErrorType;
}

function failure(
  options: SingleQueryOptions,
  cause: unknown,
  at: { ctx: Context | undefined; path: string | undefined; input: unknown },
): Failure {
  const error = getTRPCErrorFromUnknown(cause);
  options.onError({ error, path: at.path, ctx: at.ctx });
  const config = options.router._def._config;
  const shape = getTRPCErrorShape({
    config,
    ctx: at.ctx,
    error,
    input: at.input,
    path: at.path,
    type: 'query',
  });
  return { shape, error };
}

// tRPC's own tests for what it refuses to send as plain JSON: an async iterable, or an object with a
// promise-like or async-iterable value.
const isObject = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isAsyncIterable = (value: unknown) => isObject(value) && Symbol.asyncIterator in value;
const isPromiseLike = (value: unknown) =>
  (isObject(value) || typeof value === 'function') &&
  typeof (value as { then?: unknown }).then === 'function' &&
  typeof (value as { catch?: unknown }).catch === 'function';

function isDataStream(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (isAsyncIterable(value)) return true;
  const values = Object.values(value);
  return values.some(isPromiseLike) || values.some(isAsyncIterable);
}
