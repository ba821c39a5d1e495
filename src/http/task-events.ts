// GET /api/tasks/{id}/events: a task's progress as Server-Sent Events for callers without tRPC (curl -N,
// Python, EventSource). It is task.onProgress, called through tRPC like any REST call (auth middleware,
// credential re-checks, the same watcher), written as plain SSE: `id:` is the task's seq, `data:` the task
// as GET /api/tasks/{id} answers it; `Last-Event-ID` resumes; the stream ends when the task does.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AnyTRPCRouter,
  callTRPCProcedure,
  getTRPCErrorFromUnknown,
  isTrackedEnvelope,
  TRPCError,
} from '@trpc/server';
import type { Context } from '../trpc/context.js';
import { errorBody, writeError } from './error-body.js';
import { requestMetaOf } from './request-meta.js';

export const TASK_EVENTS_PATH = /^\/api\/tasks\/([^/]+)\/events$/;
export const TASK_EVENTS_OPENAPI_PATH = '/api/tasks/{id}/events';

export interface TaskEventsOptions {
  router: AnyTRPCRouter;
  heartbeatMs: number;
  /** Aborts when the server shuts down: open streams end then, not after SHUTDOWN_TIMEOUT_MS. */
  closing: AbortSignal;
  createContext(req: IncomingMessage): Context;
  onError(opts: { error: TRPCError; path: string | undefined; ctx: Context | undefined }): void;
}

const PROCEDURE = 'task.onProgress';

export async function handleTaskEvents(
  options: TaskEventsOptions,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  taskId: string,
): Promise<void> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  // The reader left, or the server is stopping (an EventSource then reconnects, to another instance, with
  // Last-Event-ID): either way the watcher ends now.
  res.once('close', stop);
  if (options.closing.aborted) stop();
  else options.closing.addEventListener('abort', stop, { once: true });
  try {
    await stream(options, req, res, url, taskId, abort.signal);
  } finally {
    options.closing.removeEventListener('abort', stop);
  }
}

async function stream(
  options: TaskEventsOptions,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  taskId: string,
  signal: AbortSignal,
): Promise<void> {
  let ctx: Context | undefined;
  let iterator: AsyncIterator<unknown> | undefined;
  let first: IteratorResult<unknown>;
  try {
    if (req.method !== 'GET') {
      res.setHeader('allow', 'GET');
      throw new TRPCError({ code: 'METHOD_NOT_SUPPORTED', message: 'Use GET' });
    }
    ctx = options.createContext(req);
    const lastEventId = req.headers['last-event-id'] ?? url.searchParams.get('lastEventId') ?? undefined;
    const source = await callTRPCProcedure({
      router: options.router,
      path: PROCEDURE,
      getRawInput: async () => ({ taskId: decodeURIComponent(taskId), lastEventId }),
      ctx,
      type: 'subscription',
      signal,
      batchIndex: 0,
    });
    iterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    // The first event is read before the status line: a task that is not the caller's is a plain 404.
    first = await iterator.next();
  } catch (cause) {
    await iterator?.return?.();
    const error = getTRPCErrorFromUnknown(cause);
    options.onError({ error, path: PROCEDURE, ctx });
    return writeError(res, error, requestMetaOf(req).requestId);
  }

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // nginx and the like would otherwise buffer the stream.
    'x-accel-buffering': 'no',
  });
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), options.heartbeatMs);
  try {
    for (let step = first; !step.done; step = await iterator.next()) {
      if (!(await write(res, eventOf(step.value)))) break;
    }
  } catch (cause) {
    // After the status line an error can only be an event: AUTH_EXPIRED when the token runs out, say.
    const error = getTRPCErrorFromUnknown(cause);
    if (!signal.aborted) {
      options.onError({ error, path: PROCEDURE, ctx });
      await write(
        res,
        `event: error\ndata: ${JSON.stringify(errorBody(error, requestMetaOf(req).requestId))}\n\n`,
      );
    }
  } finally {
    clearInterval(heartbeat);
    await iterator.return?.();
    res.end();
  }
}

function eventOf(value: unknown): string {
  if (isTrackedEnvelope(value)) return `id: ${value[0]}\ndata: ${JSON.stringify(value[1])}\n\n`;
  return `data: ${JSON.stringify(value)}\n\n`;
}

/** Resolves false when the client went away instead of reading. */
function write(res: ServerResponse, chunk: string): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      res.off('drain', onDrain).off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.once('drain', onDrain).once('close', onClose);
  });
}
