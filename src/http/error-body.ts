// Error answers outside tRPC (unknown paths, /files…, soon the REST adapter): the same `error` object a tRPC
// call answers with, from the same describeError, only without superjson's `json` envelope.
import type { ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import { type AppErrorShape, describeError, isInternal } from '../trpc/errors.js';
import { sendJson } from './json-response.js';

export interface ErrorBody {
  error: AppErrorShape;
}

/**
 * `{ error: { message, code, data: { code, httpStatus, appCode, requestId, fieldErrors?, retryAfterSeconds? } } }`.
 * `httpStatus` is for the one answer tRPC has no code for: 416, a Range outside the file.
 */
export function errorBody(error: unknown, requestId: string, httpStatus?: number): ErrorBody {
  const shape = describeError(error, requestId);
  return { error: httpStatus === undefined ? shape : { ...shape, data: { ...shape.data, httpStatus } } };
}

/** Answers with the error (logged in full first when internal), or cuts the response if it has begun. */
export function sendError(res: ServerResponse, error: unknown, requestId: string, logger: Logger): void {
  if (isInternal(error)) logger.error({ err: error, requestId }, 'internal error');
  writeError(res, error, requestId);
}

/** sendError for a caller that has logged the error itself (the REST adapter, as tRPC's onError does). */
export function writeError(res: ServerResponse, error: unknown, requestId: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorBody(error, requestId);
  const retryAfter = body.error.data.retryAfterSeconds;
  if (retryAfter !== undefined) res.setHeader('retry-after', String(retryAfter));
  sendJson(res, body.error.data.httpStatus, body);
}
