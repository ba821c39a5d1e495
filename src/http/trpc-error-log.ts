// Logs failed calls: internal ones with their full error (the caller only saw a request id), others briefly.
import type { TRPCError } from '@trpc/server';
import type { Logger } from '../logger.js';
import type { Context } from '../trpc/context.js';
import { isInternal } from '../trpc/errors.js';

export function logCallError(
  logger: Logger,
  opts: { error: TRPCError; path: string | undefined; ctx: Context | undefined },
): void {
  const log = opts.ctx?.logger ?? logger;
  if (isInternal(opts.error)) {
    log.error({ err: opts.error.cause ?? opts.error, procedure: opts.path }, 'internal error');
  } else {
    log.debug({ procedure: opts.path, code: opts.error.code, message: opts.error.message }, 'call failed');
  }
}
