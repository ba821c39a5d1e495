// Errors from the plain-HTTP routes (/files…), in the same shape and with the same codes as tRPC's.
import type { ServerResponse } from 'node:http';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { APP_CODE_TO_TRPC, HTTP_STATUS } from '../trpc/errors.js';
import { sendJson } from './health.js';

export function sendRestError(res: ServerResponse, error: unknown, requestId: string, logger: Logger): void {
  const appError =
    error instanceof AppError ? error : new AppError('INTERNAL', `Internal error (request id ${requestId})`);
  if (!(error instanceof AppError)) logger.error({ err: error, requestId }, 'internal error');
  const code = APP_CODE_TO_TRPC[appError.code];
  const httpStatus = HTTP_STATUS[code];
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const retryAfter = appError.details?.retryAfterSeconds;
  if (retryAfter !== undefined) res.setHeader('retry-after', String(retryAfter));
  // A refused upload may still be arriving: do not read the rest, end the connection after answering.
  res.setHeader('connection', 'close');
  sendJson(res, httpStatus, {
    error: {
      message: appError.message,
      data: { code, httpStatus, appCode: appError.code, requestId, ...appError.details },
    },
  });
}
