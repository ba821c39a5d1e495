// The one table from application codes to tRPC codes, and describeError: what a caller sees of any failure,
// over tRPC (the error formatter) and outside it (src/http/error-body.ts) alike. HTTP statuses and JSON-RPC
// numbers come from tRPC's own tables.
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { ZodError } from 'zod';
import { type AppCode, AppError, type AppErrorDetails, fieldErrorsOf } from '../errors.js';

type TRPCCode = TRPCError['code'];

const APP_CODE_TO_TRPC: Record<AppCode, TRPCCode> = {
  AUTH_REQUIRED: 'UNAUTHORIZED',
  AUTH_INVALID: 'UNAUTHORIZED',
  AUTH_EXPIRED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  RESOURCE_NOT_FOUND: 'NOT_FOUND',
  VALIDATION_ERROR: 'BAD_REQUEST',
  FILE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FILE_TYPE_INVALID: 'UNSUPPORTED_MEDIA_TYPE',
  QUOTA_EXCEEDED: 'FORBIDDEN',
  API_KEY_INVALID: 'BAD_REQUEST',
  LLM_UNAVAILABLE: 'BAD_GATEWAY',
  RATE_LIMIT_EXCEEDED: 'TOO_MANY_REQUESTS',
  TASK_NOT_FOUND: 'NOT_FOUND',
  TASK_ALREADY_COMPLETED: 'CONFLICT',
  CONFLICT: 'CONFLICT',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
};

/** Errors tRPC raises itself (bad JSON, unknown procedure, body too large…) get the nearest stable code. */
const TRPC_TO_APP_CODE: Partial<Record<TRPCCode, AppCode>> = {
  PARSE_ERROR: 'VALIDATION_ERROR',
  BAD_REQUEST: 'VALIDATION_ERROR',
  UNAUTHORIZED: 'AUTH_REQUIRED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'RESOURCE_NOT_FOUND',
  METHOD_NOT_SUPPORTED: 'VALIDATION_ERROR',
  PAYLOAD_TOO_LARGE: 'VALIDATION_ERROR',
  UNSUPPORTED_MEDIA_TYPE: 'VALIDATION_ERROR',
  UNPROCESSABLE_CONTENT: 'VALIDATION_ERROR',
  CONFLICT: 'CONFLICT',
  PRECONDITION_FAILED: 'CONFLICT',
  TOO_MANY_REQUESTS: 'RATE_LIMIT_EXCEEDED',
};

/** What every error carries in `error.data`, over tRPC and plain HTTP alike (`path` only over tRPC). */
export interface AppErrorData extends AppErrorDetails {
  code: TRPCCode;
  httpStatus: number;
  appCode: AppCode;
  path?: string;
  requestId?: string;
}

/** `error` of every error answer: tRPC's shape (message, JSON-RPC code, data) with our data in it. */
export interface AppErrorShape {
  message: string;
  code: number;
  data: AppErrorData;
}

/**
 * Classifies any failure: a TRPCError as tRPC hands it to the formatter (what was thrown is its cause),
 * or whatever a plain-HTTP route threw. Internal causes never leak their message.
 */
export function describeError(error: unknown, requestId: string | undefined): AppErrorShape {
  const cause = error instanceof TRPCError ? error.cause : error;
  if (cause instanceof AppError) {
    const message = cause.code === 'INTERNAL' ? internalMessage(requestId) : cause.message;
    return shapeOf(APP_CODE_TO_TRPC[cause.code], cause.code, message, requestId, cause.details);
  }
  if (isInputRefusal(error)) {
    return shapeOf('BAD_REQUEST', 'VALIDATION_ERROR', 'Invalid input', requestId, {
      fieldErrors: fieldErrorsOf(error.cause),
    });
  }
  if (error instanceof TRPCError) {
    const appCode = TRPC_TO_APP_CODE[error.code] ?? 'INTERNAL';
    const message = appCode === 'INTERNAL' ? internalMessage(requestId) : refusalMessage(error);
    return shapeOf(error.code, appCode, message, requestId);
  }
  return shapeOf('INTERNAL_SERVER_ERROR', 'INTERNAL', internalMessage(requestId), requestId);
}

/** An internal failure is logged in full: the caller saw only a request id. */
export function isInternal(error: unknown): boolean {
  return describeError(error, undefined).data.appCode === 'INTERNAL';
}

/** The input failed its schema. tRPC also wraps a ZodError from a failed `.output()` check: that one is ours. */
function isInputRefusal(error: unknown): error is TRPCError & { cause: ZodError } {
  return error instanceof TRPCError && error.code === 'BAD_REQUEST' && error.cause instanceof ZodError;
}

function shapeOf(
  code: TRPCCode,
  appCode: AppCode,
  message: string,
  requestId: string | undefined,
  details?: AppErrorDetails,
): AppErrorShape {
  return {
    message,
    code: TRPC_ERROR_CODES_BY_KEY[code],
    data: {
      code,
      httpStatus: httpStatusOf(code),
      appCode,
      // Left out rather than undefined: superjson would list an undefined in the answer's meta.
      ...(requestId === undefined ? {} : { requestId }),
      ...details,
    },
  };
}

const httpStatuses = new Map<TRPCCode, number>();

/** tRPC's code → HTTP status table is public only through a function of an error; each code is asked once. */
function httpStatusOf(code: TRPCCode): number {
  let status = httpStatuses.get(code);
  if (status === undefined) {
    status = getHTTPStatusCodeFromError(new TRPCError({ code }));
    httpStatuses.set(code, status);
  }
  return status;
}

/**
 * tRPC words its own refusals ("input needs to be an object…"), but when reading the input broke
 * (JSON.parse, superjson, the stack on 100k nested brackets) it passes on the engine's message:
 * "Maximum call stack size exceeded", "Cannot destructure property 'json'…". Those say how our code
 * failed, not what was wrong with the request.
 */
function refusalMessage(error: TRPCError): string {
  const cause = error.cause;
  const borrowed = cause instanceof Error && !(cause instanceof TRPCError) && cause.message === error.message;
  if (!borrowed) return error.message;
  return 'Invalid input';
}

function internalMessage(requestId: string | undefined): string {
  return requestId ? `Internal error (request id ${requestId})` : 'Internal error';
}
