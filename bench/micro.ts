// `tsx bench/micro.ts`: in-process cost (µs/op) of each step tRPC's node adapter performs per request.
import { resolveResponse } from '@trpc/server/http';
import superjson from 'superjson';
import { measure } from './lib/measure.js';
import { bareRouter } from './servers/bare-router.js';
import { systemInfo } from './servers/system-info.js';

// The headers wrk sends; tRPC copies every one of them into a Fetch Headers object.
const NODE_HEADERS: Record<string, string> = { host: '127.0.0.1:3000' };

function request(): Request {
  const headers = new Headers();
  for (const key in NODE_HEADERS) headers.append(key, NODE_HEADERS[key] ?? '');
  return new Request(new URL('/trpc/system.info', 'http://127.0.0.1:3000'), {
    method: 'GET',
    headers,
    signal: new AbortController().signal,
  });
}

async function pipeToNothing(res: Response): Promise<void> {
  // Mirrors writeResponseBody: a WritableStream whose write() would call res.write().
  const sink = new WritableStream<Uint8Array>({ write() {} });
  if (res.body) await res.body.pipeTo(sink);
}

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_MICRO_N ?? '20000');
  console.log(`node ${process.version}, ${n} iterations x 5 batches each, median`);
  await measure(
    'new URL(path, base)  (the adapter does this 2x, resolveResponse 1x, Request 1x)',
    () => new URL('/trpc/system.info', 'http://127.0.0.1:3000'),
    n,
  );
  await measure(
    'Headers copy of the incoming headers',
    () => {
      const h = new Headers();
      for (const key in NODE_HEADERS) h.append(key, NODE_HEADERS[key] ?? '');
      return h;
    },
    n,
  );
  await measure('new AbortController()', () => new AbortController(), n);
  await measure(
    'AbortSignal.any([a, b])  (resolveResponse does this 2x)',
    () => AbortSignal.any([new AbortController().signal, new AbortController().signal]),
    n,
  );
  await measure('new Request(url, { headers, signal })  (incl. URL/Headers/AC above)', request, n);
  await measure(
    'new Response(json string, { headers })',
    () =>
      new Response('{"result":{}}', { status: 200, headers: new Headers([['vary', 'trpc-accept, accept']]) }),
    n,
  );
  await measure(
    'Response body pipeTo(WritableStream)  (incl. new Response)',
    () => pipeToNothing(new Response('{"result":{}}')),
    n,
  );
  await measure('Response.text()  (incl. new Response)', () => new Response('{"result":{}}').text(), n);
  await measure(
    'superjson.serialize(systemInfo()) + JSON.stringify',
    () => JSON.stringify({ result: { data: superjson.serialize(systemInfo()) } }),
    n,
  );
  await measure(
    'resolveResponse(prebuilt-per-call Request)  (router, procedure, superjson, Response)',
    () =>
      resolveResponse({
        router: bareRouter,
        req: request(),
        path: 'system.info',
        error: null,
        createContext: async () => ({}),
      }),
    n,
  );
  await measure(
    'resolveResponse + pipeTo  (all of tRPC except node:http glue)',
    async () => {
      const res = await resolveResponse({
        router: bareRouter,
        req: request(),
        path: 'system.info',
        error: null,
        createContext: async () => ({}),
      });
      await pipeToNothing(res);
    },
    n,
  );
  const caller = bareRouter.createCaller({});
  await measure(
    'createCaller().system.info() + superjson  (procedure only)',
    async () => JSON.stringify({ result: { data: superjson.serialize(await caller.system.info()) } }),
    n,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
