// The one table from application codes to tRPC codes and HTTP statuses, and the error formatter built on it.
import { TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { type AppCode, AppError, type AppErrorDetails, fieldErrorsOf } from '../errors.js';

type TRPCCode = TRPCError['code'];

export const APP_CODE_TO_TRPC: Record<AppCode, TRPCCode> = {
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

export const HTTP_STATUS: Record<TRPCCode, number> = {
  PARSE_ERROR: 400,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  PAYMENT_REQUIRED: 402,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_SUPPORTED: 405,
  TIMEOUT: 408,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE_CONTENT: 422,
  PRECONDITION_REQUIRED: 428,
  TOO_MANY_REQUESTS: 429,
  CLIENT_CLOSED_REQUEST: 499,
  INTERNAL_SERVER_ERROR: 500,
  NOT_IMPLEMENTED: 501,
  BAD_GATEWAY: 502,
  SERVICE_UNAVAILABLE: 503,
  GATEWAY_TIMEOUT: 504,
};

export const TRPC_JSON_RPC_CODE: Record<TRPCCode, number> = {
  PARSE_ERROR: -32700,
  BAD_REQUEST: -32600,
  INTERNAL_SERVER_ERROR: -32603,
  NOT_IMPLEMENTED: -32603,
  BAD_GATEWAY: -32603,
  SERVICE_UNAVAILABLE: -32603,
  GATEWAY_TIMEOUT: -32603,
  UNAUTHORIZED: -32001,
  PAYMENT_REQUIRED: -32002,
  FORBIDDEN: -32003,
  NOT_FOUND: -32004,
  METHOD_NOT_SUPPORTED: -32005,
  TIMEOUT: -32008,
  CONFLICT: -32009,
  PRECONDITION_FAILED: -32012,
  PAYLOAD_TOO_LARGE: -32013,
  UNSUPPORTED_MEDIA_TYPE: -32015,
  UNPROCESSABLE_CONTENT: -32022,
  PRECONDITION_REQUIRED: -32028,
  TOO_MANY_REQUESTS: -32029,
  CLIENT_CLOSED_REQUEST: -32099,
};

/** What every error carries in `error.data`, over tRPC and (later) REST alike. */
export interface AppErrorData extends AppErrorDetails {
  code: TRPCCode;
  httpStatus: number;
  appCode: AppCode;
  path?: string;
  requestId?: string;
}

export interface AppErrorShape {
  message: string;
  code: number;
  data: AppErrorData;
}

/** Classifies any error thrown while serving a call. Internal causes never leak their message. */
export function describeError(
  error: TRPCError,
  requestId: string | undefined,
): Omit<AppErrorShape, 'code'> & {
  trpcCode: TRPCCode;
} {
  const cause = error.cause;
  if (cause instanceof AppError) {
    const trpcCode = APP_CODE_TO_TRPC[cause.code];
    const message = cause.code === 'INTERNAL' ? internalMessage(requestId) : cause.message;
    return {
      trpcCode,
      message,
      data: {
        code: trpcCode,
        httpStatus: HTTP_STATUS[trpcCode],
        appCode: cause.code,
        requestId,
        ...cause.details,
      },
    };
  }
  if (cause instanceof ZodError) {
    return {
      trpcCode: 'BAD_REQUEST',
      message: 'Invalid input',
      data: {
        code: 'BAD_REQUEST',
        httpStatus: 400,
        appCode: 'VALIDATION_ERROR',
        requestId,
        fieldErrors: fieldErrorsOf(cause),
      },
    };
  }
  const appCode = TRPC_TO_APP_CODE[error.code] ?? 'INTERNAL';
  const trpcCode = error.code;
  const message = appCode === 'INTERNAL' ? internalMessage(requestId) : refusalMessage(error);
  return {
    trpcCode,
    message,
    data: { code: trpcCode, httpStatus: HTTP_STATUS[trpcCode], appCode, requestId },
  };
}

export function isInternal(error: TRPCError): boolean {
  const cause = error.cause;
  if (cause instanceof AppError) return cause.code === 'INTERNAL';
  if (cause instanceof ZodError) return false;
  return TRPC_TO_APP_CODE[error.code] === undefined;
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
