// Per-request facts the HTTP layer establishes first (id, start time) and later layers read.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface RequestMeta {
  requestId: string;
  startedAt: number;
}

const metas = new WeakMap<IncomingMessage, RequestMeta>();

// A caller's id is kept only when it cannot smuggle anything into headers or logs.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function attachRequestMeta(req: IncomingMessage): RequestMeta {
  const given = req.headers['x-request-id'];
  const requestId = typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
  const meta = { requestId, startedAt: performance.now() };
  metas.set(req, meta);
  return meta;
}

/** The meta of a request that went through the HTTP layer; a WebSocket upgrade gets one too. */
export function requestMetaOf(req: IncomingMessage): RequestMeta {
  return metas.get(req) ?? attachRequestMeta(req);
}
