// The Fetch Request that tRPC's resolver reads, made from a node request. As tRPC's incomingMessageToRequest,
// except that its body fails when the client goes away mid-body: tRPC's then neither ends nor fails, so what
// awaits it (a call's JSON input, an upload) waits forever, holding the bytes that did arrive.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TRPCError } from '@trpc/server';
import { createURL } from '@trpc/server/adapters/node-http';

export function toFetchRequest(req: IncomingMessage, res: ServerResponse, maxBodySize: number): Request {
  const abort = new AbortController();
  // The call is abandoned when the connection closes before its whole answer was written.
  res.once('close', () => {
    if (!res.writableEnded) abort.abort();
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const init: RequestInit & { duplex?: 'half' } = { method: req.method, headers, signal: abort.signal };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    init.body = bodyOf(req, maxBodySize);
    init.duplex = 'half';
  }
  return new Request(createURL(req), init);
}

function bodyOf(req: IncomingMessage, maxBodySize: number): ReadableStream<Uint8Array> {
  let size = 0;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const stop = () => {
        req.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onClose);
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBodySize) {
          stop();
          controller.error(new TRPCError({ code: 'PAYLOAD_TOO_LARGE' }));
          return;
        }
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      };
      const onEnd = () => {
        stop();
        controller.close();
      };
      // 'close' before 'end' (or an 'error'): the client hung up, or the server cut the connection at shutdown.
      const onClose = () => {
        if (req.complete) return;
        stop();
        controller.error(new TRPCError({ code: 'BAD_REQUEST', message: 'The request body ended early' }));
      };
      req.on('data', onData).on('end', onEnd).on('close', onClose).on('error', onClose);
    },
    cancel() {
      req.destroy();
    },
  });
}
