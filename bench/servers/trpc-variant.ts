// Task-2 experiments: the bare tRPC server with one option or adapter change, picked by BENCH_VARIANT.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { initTRPC } from '@trpc/server';
import { createURL, incomingMessageToRequest } from '@trpc/server/adapters/node-http';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { resolveResponse } from '@trpc/server/http';
import superjson from 'superjson';
import { bareRouter } from './bare-router.js';
import { serve } from './serve.js';
import { systemInfo } from './system-info.js';

const BASE = '/trpc/';
const variant = process.env.BENCH_VARIANT ?? 'default';

/** Same router without a transformer: isolates what superjson costs end to end. */
function plainRouter() {
  const t = initTRPC.create();
  return t.router({ system: t.router({ info: t.procedure.query(() => systemInfo()) }) });
}

/**
 * Standard Request in, but the Response is buffered with text() and written with one res.end(),
 * instead of tRPC's WritableStream pipe + res.write + res.end. Only valid for non-streaming
 * responses, so anything that looks like a stream falls back to an error here (bench only).
 */
function bufferedHandler(): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = createURL(req);
      const request = incomingMessageToRequest(req, res, { maxBodySize: null });
      const response = await resolveResponse({
        router: bareRouter,
        req: request,
        path: url.pathname.slice(BASE.length),
        error: null,
        createContext: async () => ({}),
      });
      const type = response.headers.get('content-type') ?? '';
      if (!type.startsWith('application/json') || response.headers.has('transfer-encoding')) {
        throw new Error('streaming responses are not handled by the buffered bench adapter');
      }
      const body = await response.text();
      res.statusCode = response.status;
      for (const [k, v] of response.headers) res.setHeader(k, v);
      res.setHeader('content-length', Buffer.byteLength(body));
      res.end(body);
    })().catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  };
}

/** No HTTP adapter at all: node:http + a server-side caller. Lower bound for "tRPC procedure + superjson". */
function callerHandler(): RequestListener {
  const caller = bareRouter.createCaller({});
  return (_req, res) => {
    void caller.system.info().then((data) => {
      const body = JSON.stringify({ result: { data: superjson.serialize(data) } });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  };
}

function handlerFor(name: string): RequestListener {
  switch (name) {
    case 'default':
      return createHTTPHandler({ router: bareRouter, basePath: BASE });
    case 'no-batching':
      return createHTTPHandler({ router: bareRouter, basePath: BASE, allowBatching: false });
    case 'method-override':
      return createHTTPHandler({ router: bareRouter, basePath: BASE, allowMethodOverride: true });
    case 'response-meta':
      // The typical use: a cache header on queries. Any responseMeta runs per request.
      return createHTTPHandler({
        router: bareRouter,
        basePath: BASE,
        responseMeta: ({ type }) => (type === 'query' ? { headers: { 'cache-control': 'no-store' } } : {}),
      });
    case 'no-transformer':
      return createHTTPHandler({ router: plainRouter(), basePath: BASE });
    case 'buffered':
      return bufferedHandler();
    case 'caller':
      return callerHandler();
    case 'no-abortsignal-any':
      // tRPC falls back to its own listener-based ponyfill when AbortSignal.any is missing; Node 22's
      // native one retains composite signals until GC (nodejs/node#54614, #55328). Process-wide change.
      Reflect.deleteProperty(AbortSignal, 'any');
      return createHTTPHandler({ router: bareRouter, basePath: BASE });
    default:
      throw new Error(`unknown BENCH_VARIANT "${name}"`);
  }
}

serve(createServer(handlerFor(variant)), `trpc-variant:${variant}`);
