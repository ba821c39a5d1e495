// Serves tRPC over plain HTTP. Like tRPC's standalone adapter, but a complete JSON answer is written in one
// piece with a Content-Length: compression can then skip small bodies, and the response needs no chunking.
// Streams (SSE subscriptions, jsonl batch streams) are still written as they come.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnyTRPCRouter, TRPCError } from '@trpc/server';
import { resolveResponse } from '@trpc/server/http';
import { AppError } from '../errors.js';
import type { Context } from '../trpc/context.js';
import { toFetchRequest } from './fetch-request.js';
import { trySingleQuery } from './trpc-single-query.js';

export interface TrpcHttpOptions {
  router: AnyTRPCRouter;
  basePath: string;
  maxBodySize(procedurePath: string): number;
  /** A larger batch is refused whole (400) before any of its calls runs. */
  maxBatchSize: number;
  createContext(req: IncomingMessage, connectionParams: Record<string, string | undefined> | null): Context;
  onError(opts: { error: TRPCError; path: string | undefined; ctx: Context | undefined }): void;
  /** A single GET query answered without resolveResponse (see trpc-single-query.ts). */
  onShortRoad?(req: IncomingMessage): void;
}

export function createTrpcHttpHandler(options: TrpcHttpOptions) {
  const prefix = options.basePath.endsWith('/') ? options.basePath : `${options.basePath}/`;
  const singleQuery = {
    router: options.router,
    createContext: (req: IncomingMessage) => options.createContext(req, null),
    onError: options.onError,
    errorHeaders: (error: TRPCError) => retryAfterHeader([error]).headers ?? {},
    ...(options.onShortRoad ? { onShortRoad: options.onShortRoad } : {}),
  };
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (await trySingleQuery(singleQuery, prefix, req, res)) return;
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    const path = pathname.startsWith(prefix) ? pathname.slice(prefix.length).replace(/\/$/, '') : '';
    const request = toFetchRequest(req, res, options.maxBodySize(path));

    const response = await resolveResponse({
      router: options.router,
      req: request,
      path,
      error: null,
      maxBatchSize: options.maxBatchSize,
      responseMeta: ({ errors }) => retryAfterHeader(errors),
      // SSE subscriptions (EventSource cannot send headers) carry the token in connectionParams.
      createContext: async ({ info }) => options.createContext(req, info.connectionParams),

      onError: ({ error, path: procedure, ctx }) =>
        options.onError({ error, path: procedure, ctx: ctx as Context | undefined }),
    });
    await writeResponse(req, res, response, request.signal);
  };
}

async function writeResponse(
  req: IncomingMessage,
  res: ServerResponse,
  response: Response,
  signal: AbortSignal,
): Promise<void> {
  res.statusCode = response.status;
  for (const [key, value] of response.headers) {
    if (key !== 'set-cookie') res.setHeader(key, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  if (!response.body) {
    res.end();
    return;
  }
  if (!isStream(req, response)) {
    const body = Buffer.from(await response.arrayBuffer());
    res.setHeader('content-length', body.length);
    res.end(body);
    return;
  }
  const flushable = res as ServerResponse & { flush?: () => void };
  try {
    for await (const chunk of response.body) {
      if (signal.aborted) break;
      if (!res.write(chunk))
        await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
      // compression buffers otherwise; each event must leave now.
      flushable.flush?.();
    }
  } finally {
    res.end();
  }
}

/** A rate-limited call tells HTTP clients when to come back, as the standard header too. */
function retryAfterHeader(errors: TRPCError[]): { headers?: Record<string, string> } {
  for (const error of errors) {
    const seconds = error.cause instanceof AppError ? error.cause.details?.retryAfterSeconds : undefined;
    if (seconds !== undefined) return { headers: { 'retry-after': String(seconds) } };
  }
  return {};
}

function isStream(req: IncomingMessage, response: Response): boolean {
  const type = response.headers.get('content-type') ?? '';
  return type.startsWith('text/event-stream') || req.headers['trpc-accept'] === 'application/jsonl';
}
