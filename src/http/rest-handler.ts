// Serves the procedures that declare a REST route as plain JSON under /api (see rest-routes.ts). The call goes
// through tRPC's callTRPCProcedure with a context from the one context factory, so the middlewares (auth,
// scopes, rate limits) and the .input()/.output() schemas run exactly as over /trpc; failures answer the one
// error body (error-body.ts) with tRPC's status for the code. trpc-to-openapi builds the OpenAPI document
// from the same meta, but its request handler is not used: it coerces query strings by mutating the shared
// zod schemas (so /trpc would coerce too, and "false" reads as true), routes by the first matching pattern
// (/api/documents/search would reach document.get), reads `application/json; charset=utf-8` as no body and
// answers errors in its own shape.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AnyTRPCRouter, callTRPCProcedure, getTRPCErrorFromUnknown, TRPCError } from '@trpc/server';
import type { Context } from '../trpc/context.js';
import { writeError } from './error-body.js';
import { sendJson } from './json-response.js';
import { requestMetaOf } from './request-meta.js';
import { jsonBody, queryInput } from './rest-input.js';
import { type RestRoute, restRouteTable } from './rest-routes.js';

export interface RestHandlerOptions {
  router: AnyTRPCRouter;
  maxBodyBytes: number;
  createContext(req: IncomingMessage): Context;
  onError(opts: { error: TRPCError; path: string | undefined; ctx: Context | undefined }): void;
}

export type RestHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

export function createRestHandler(options: RestHandlerOptions): RestHandler {
  const table = restRouteTable(options.router);
  return async (req, res, url) => {
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    const found = table.match(method, url.pathname);
    let ctx: Context | undefined;
    let procedure: string | undefined;
    try {
      if (!('route' in found)) {
        if (found.allowed.length > 0) res.setHeader('allow', found.allowed.join(', '));
        throw found.allowed.length > 0
          ? new TRPCError({ code: 'METHOD_NOT_SUPPORTED', message: `Use ${found.allowed.join(' or ')}` })
          : new TRPCError({ code: 'NOT_FOUND', message: `No route for ${req.method} ${url.pathname}` });
      }
      const { route, params } = found;
      procedure = route.procedure;
      const input = route.hasInput ? { ...(await inputOf(req, url, route, options)), ...params } : undefined;
      const abort = new AbortController();
      // As tRPC's node adapter: only a response cut short aborts the call.
      res.once('close', () => {
        if (!res.writableEnded) abort.abort();
      });
      ctx = options.createContext(req);
      const data = await callTRPCProcedure({
        router: options.router,
        path: route.procedure,
        getRawInput: async () => input,
        ctx,
        type: route.type,
        signal: abort.signal,
        batchIndex: 0,
      });
      answer(res, route, data);
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      options.onError({ error, path: procedure, ctx });
      // A refused body may still be arriving: do not read the rest, end the connection after answering.
      if (!req.complete && !res.headersSent) res.setHeader('connection', 'close');
      writeError(res, error, requestMetaOf(req).requestId);
    }
  };
}

function inputOf(req: IncomingMessage, url: URL, route: RestRoute, options: RestHandlerOptions) {
  if (route.method === 'GET' || route.method === 'DELETE') {
    return Promise.resolve(queryInput(url.searchParams, route.query));
  }
  return jsonBody(req, options.maxBodyBytes);
}

function answer(res: ServerResponse, route: RestRoute, data: unknown): void {
  const taskId = route.startsTask ? (data as { id?: unknown } | null)?.id : undefined;
  if (typeof taskId === 'string') {
    // Long work never holds the request: the task is where its outcome will be.
    res.setHeader('location', `/api/tasks/${encodeURIComponent(taskId)}`);
    sendJson(res, 202, data);
    return;
  }
  sendJson(res, 200, data);
}
