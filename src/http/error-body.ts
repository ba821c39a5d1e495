// Error answers outside tRPC (unknown paths, /files…, soon the REST adapter): the same `error` object a tRPC
// call answers with, from the same describeError, only without superjson's `json` envelope.
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { APP_CODES } from '../errors.js';
import type { Logger } from '../logger.js';
import { type AppErrorShape, describeError, isInternal } from '../trpc/errors.js';
import { sendJson } from './json-response.js';

export interface ErrorBody {
  error: AppErrorShape;
}

/** The body's schema, for the OpenAPI document; the assignment below keeps it and ErrorBody in step. */
export const ZErrorBody = z
  .object({
    error: z.object({
      message: z.string(),
      /** tRPC's JSON-RPC error number. */
      code: z.number().int(),
      data: z.object({
        code: z.string().meta({ description: "tRPC's error code, e.g. NOT_FOUND" }),
        httpStatus: z.number().int(),
        appCode: z.enum(APP_CODES).meta({ description: 'The stable application code to branch on' }),
        requestId: z.string().optional().meta({ description: 'Also in the X-Request-ID header and the log' }),
        path: z.string().optional(),
        fieldErrors: z
          .record(z.string(), z.array(z.string()))
          .optional()
          .meta({ description: 'VALIDATION_ERROR: messages per input field ("a.b" for nested ones)' }),
        retryAfterSeconds: z.number().int().optional().meta({ description: 'RATE_LIMIT_EXCEEDED' }),
      }),
    }),
  })
  .meta({ id: 'ErrorBody', description: 'Every error answer, over /api and the byte routes alike' });
const _errorBodyMatchesSchema: z.input<typeof ZErrorBody> = {} as ErrorBody;

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
