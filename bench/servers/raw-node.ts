// Baseline 1: plain node:http answering /trpc/system.info with the same superjson body tRPC would send.
import { createServer } from 'node:http';
import superjson from 'superjson';
import { serve } from './serve.js';
import { systemInfo } from './system-info.js';

const PATH = '/trpc/system.info';

const server = createServer((req, res) => {
  if (req.method === 'GET' && (req.url === PATH || req.url?.startsWith(`${PATH}?`))) {
    // Same envelope as tRPC's non-batched query response: { result: { data: <superjson> } }.
    const body = JSON.stringify({ result: { data: superjson.serialize(systemInfo()) } });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end('{"error":"not found"}');
});

serve(server, 'raw-node');
