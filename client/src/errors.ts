// Telling failures apart by their stable application code (error.data.appCode), with types that follow.
import { isTRPCClientError, type TRPCClientError } from '@trpc/client';
import type { AppCode, AppErrorData, AppRouter } from './contract.js';

/** A failed call whose `data.appCode` is one of `codes` (any app code when none are given). */
export type DocrpcError<C extends AppCode = AppCode> = TRPCClientError<AppRouter> & {
  data: AppErrorData & { appCode: C };
};

/**
 * `if (isDocrpcError(e, 'FILE_TOO_LARGE')) …`: true for a tRPC error from the server carrying that app code; inside
 * the branch `e.data.appCode` is that code and `e.data.fieldErrors` / `retryAfterSeconds` are typed.
 */
export function isDocrpcError<C extends AppCode = AppCode>(
  error: unknown,
  ...codes: C[]
): error is DocrpcError<C> {
  if (!isTRPCClientError(error)) return false;
  const appCode = (error.data as { appCode?: unknown } | undefined)?.appCode;
  if (typeof appCode !== 'string') return false;
  return codes.length === 0 || (codes as string[]).includes(appCode);
}

/** An error the server answered with 401 (missing, invalid or expired credentials). */
export function isUnauthorized(error: unknown): boolean {
  return isDocrpcError(error) && error.data.httpStatus === 401;
}
