// The two system.info baselines, picked by BASELINE: `raw` (node:http writing the body tRPC would send, built
// per request) or `trpc` (bare tRPC: superjson, one query, standalone adapter, no context or middleware).
import { createServer } from 'node:http';
import { initTRPC } from '@trpc/server';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import superjson from 'superjson';
import { serve } from '../lib/processes.js';

const startedAt = new Date();
/** The same fields docrpc's system.info returns, built fresh per call like a real handler. */
const info = () => {
  const now = new Date();
  return {
    name: 'docrpc',
    version: '0.1.0',
    uptimeSeconds: (now.getTime() - startedAt.getTime()) / 1000,
    startedAt,
    serverTime: now,
    database: { kind: 'external' },
  };
};

const PATH = '/trpc/system.info';
if (process.env.BASELINE === 'raw') {
  const server = createServer((req, res) => {
    if (req.url !== PATH) {
      res.writeHead(404).end();
      return;
    }
    // tRPC's envelope of a non-batched query: { result: { data: <superjson> } }.
    const body = JSON.stringify({ result: { data: superjson.serialize(info()) } });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  serve(server, 'raw node');
} else {
  const t = initTRPC.create({ transformer: superjson });
  const router = t.router({ system: t.router({ info: t.procedure.query(info) }) });
  serve(createHTTPServer({ router, basePath: '/trpc/' }), 'bare tRPC');
}
