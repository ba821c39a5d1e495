// Application errors: the stable codes callers see in error.data.appCode, thrown by services without any transport.
import type { ZodError } from 'zod';

export const APP_CODES = [
  'AUTH_REQUIRED',
  'AUTH_INVALID',
  'AUTH_EXPIRED',
  'FORBIDDEN',
  'RESOURCE_NOT_FOUND',
  'VALIDATION_ERROR',
  'FILE_TOO_LARGE',
  'FILE_TYPE_INVALID',
  'QUOTA_EXCEEDED',
  'API_KEY_INVALID',
  'LLM_UNAVAILABLE',
  'RATE_LIMIT_EXCEEDED',
  'TASK_NOT_FOUND',
  'TASK_ALREADY_COMPLETED',
  'CONFLICT',
  'INTERNAL',
] as const;

export type AppCode = (typeof APP_CODES)[number];

/** Details a caller may see: per-field messages, a retry-after, never internals. */
export interface AppErrorDetails {
  fieldErrors?: Record<string, string[]>;
  retryAfterSeconds?: number;
}

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: AppCode,
    message: string,
    readonly details?: AppErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `{ "email": ["Invalid email"], "": ["form-level message"] }`: one entry per input path. */
export function fieldErrorsOf(error: ZodError): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.');
    result[key] ??= [];
    result[key].push(issue.message);
  }
  return result;
}
