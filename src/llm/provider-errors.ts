// What a failed call to a provider becomes for callers: API_KEY_INVALID or LLM_UNAVAILABLE, with a message
// that names the provider's answer and never the key.
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  PermissionDeniedError,
} from 'openai';
import { AppError } from '../errors.js';

/** What one call saw, kept by its fetch wrapper and its retry loop. */
export interface CallRecord {
  /** HTTP requests sent, the SDK's retries included. */
  httpAttempts: number;
  /** The current attempt got a 2xx and is streaming its body. */
  streaming: boolean;
  /** The current attempt's deadline passed while its body streamed. */
  bodyTimedOut: boolean;
  /** A Retry-After longer than we wait, refused. */
  refusedRetryAfterMs?: number;
}

export interface ErrorContext {
  baseURL: string;
  apiKey: string;
  timeoutMs: number;
  maxRetryAfterMs: number;
}

/** A stream that ended without a finish reason: the provider or the network cut it. */
export class StreamCutError extends Error {
  override name = 'StreamCutError';
}

const MESSAGE_MAX = 300;

function innermostCause(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  if (!(current instanceof Error)) return String(current);
  const code = (current as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${current.message}` : current.message;
}

function hostOf(baseURL: string): string {
  try {
    return new URL(baseURL).host;
  } catch {
    return 'the configured base URL';
  }
}

export function toProviderError(error: unknown, call: CallRecord, context: ErrorContext): unknown {
  const clean = (text: string) => {
    const bounded = text.length > MESSAGE_MAX ? `${text.slice(0, MESSAGE_MAX)}…` : text;
    return context.apiKey.length >= 4 ? bounded.replaceAll(context.apiKey, '***') : bounded;
  };
  const provider = `the LLM provider at ${hostOf(context.baseURL)}`;
  const tries = `${call.httpAttempts} attempt${call.httpAttempts === 1 ? '' : 's'}`;
  const unavailable = (message: string, retryAfterSeconds?: number) =>
    new AppError(
      'LLM_UNAVAILABLE',
      clean(message),
      retryAfterSeconds === undefined ? undefined : { retryAfterSeconds },
      { cause: error },
    );

  if (call.bodyTimedOut)
    return unavailable(`${provider} did not finish its answer within ${context.timeoutMs} ms (${tries})`);
  if (call.streaming)
    return unavailable(`${provider} broke off its answer: ${innermostCause(error)} (${tries})`);
  if (error instanceof AuthenticationError || error instanceof PermissionDeniedError)
    return new AppError(
      'API_KEY_INVALID',
      clean(`${provider} refused the API key: ${error.message}`),
      undefined,
      {
        cause: error,
      },
    );
  if (call.refusedRetryAfterMs !== undefined && error instanceof APIError) {
    const seconds = Math.ceil(call.refusedRetryAfterMs / 1000);
    return unavailable(
      `${provider} answered ${error.message} and asked to retry in ${seconds} s, longer than the ` +
        `${Math.round(context.maxRetryAfterMs / 1000)} s a call waits (${tries})`,
      seconds,
    );
  }
  if (error instanceof APIConnectionTimeoutError)
    return unavailable(`${provider} did not answer within ${context.timeoutMs} ms (${tries})`);
  if (error instanceof APIConnectionError)
    return unavailable(`${provider} could not be reached: ${innermostCause(error)} (${tries})`);
  if (error instanceof APIError) return unavailable(`${provider} answered ${error.message} (${tries})`);
  return error;
}
