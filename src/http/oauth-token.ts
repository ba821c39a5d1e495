// POST /api/auth/token: the OAuth2 token endpoint (RFC 6749) for scripts and the docs page's Authorize button.
// `grant_type=password` signs in through the auth service's login (its rate limits included) and
// `grant_type=refresh_token` rotates through its refresh; there is no second login here. Clients are public:
// a client id may be sent and is ignored, but a client secret is refused (this server issues none).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { ZLoginInput, ZRefreshInput } from '../modules/auth/schemas.js';
import { login, refresh } from '../modules/auth/service.js';
import type { Context } from '../trpc/context.js';
import { sendError } from './error-body.js';
import { requestMetaOf } from './request-meta.js';

export const OAUTH_TOKEN_PATH = '/api/auth/token';

/** The form a token request sends (application/x-www-form-urlencoded). */
export const ZTokenRequest = z
  .object({
    grant_type: z.enum(['password', 'refresh_token']),
    username: z.string().optional().meta({ description: 'grant_type=password: your username or email' }),
    password: z.string().optional().meta({ description: 'grant_type=password' }),
    refresh_token: z.string().optional().meta({ description: 'grant_type=refresh_token' }),
    scope: z.string().optional().meta({ description: 'Ignored: a token may do what its user may' }),
    client_id: z.string().optional().meta({ description: 'Ignored: every client is public' }),
  })
  .meta({ id: 'TokenRequest' });

export const ZTokenResponse = z
  .object({
    access_token: z.string(),
    token_type: z.literal('bearer'),
    expires_in: z.number().int().meta({ description: 'Seconds the access token is valid for' }),
    refresh_token: z.string().meta({ description: 'Single use: each refresh answers a new one' }),
  })
  .meta({ id: 'TokenResponse' });

export const ZTokenError = z
  .object({
    error: z.enum([
      'invalid_request',
      'invalid_client',
      'invalid_grant',
      'unsupported_grant_type',
      'slow_down',
    ]),
    error_description: z.string(),
  })
  .meta({ id: 'TokenError', description: 'RFC 6749 §5.2 (slow_down: RFC 8628, with Retry-After)' });

type TokenError = z.infer<typeof ZTokenError>['error'];

class OAuthError extends Error {
  constructor(
    readonly error: TokenError,
    message: string,
    readonly status = 400,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

const MAX_FORM_BYTES = 16 * 1024;

export async function handleTokenRequest(
  req: IncomingMessage,
  res: ServerResponse,
  createContext: (req: IncomingMessage) => Context,
  logger: Logger,
): Promise<void> {
  try {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      throw new OAuthError('invalid_request', 'Use POST', 405);
    }
    refuseClientSecret(req.headers.authorization);
    const form = await readForm(req);
    if (form.get('client_secret')) throw invalidClient();
    const ctx = createContext(req);
    const grant = single(form, 'grant_type');
    let tokens: { accessToken: string; accessTokenExpiresAt: Date; refreshToken: string };
    if (grant === 'password') {
      const input = ZLoginInput.safeParse({
        login: single(form, 'username'),
        password: single(form, 'password'),
      });
      if (!input.success) throw new OAuthError('invalid_request', 'username and password are required');
      tokens = await login(ctx.deps, input.data, ctx.client).catch(asOAuthError);
    } else if (grant === 'refresh_token') {
      const input = ZRefreshInput.safeParse({ refreshToken: single(form, 'refresh_token') });
      if (!input.success) throw new OAuthError('invalid_request', 'refresh_token is required');
      tokens = await refresh(ctx.deps, input.data, ctx.client).catch(asOAuthError);
    } else if (grant === undefined) {
      throw new OAuthError('invalid_request', 'grant_type is required');
    } else {
      throw new OAuthError('unsupported_grant_type', 'grant_type must be password or refresh_token');
    }
    const body: z.infer<typeof ZTokenResponse> = {
      access_token: tokens.accessToken,
      token_type: 'bearer',
      expires_in: Math.max(0, Math.round((tokens.accessTokenExpiresAt.getTime() - Date.now()) / 1000)),
      refresh_token: tokens.refreshToken,
    };
    send(res, 200, body);
  } catch (error) {
    if (!(error instanceof OAuthError)) return sendError(res, error, requestMetaOf(req).requestId, logger);
    if (!req.complete) res.setHeader('connection', 'close');
    if (error.status === 401) res.setHeader('www-authenticate', 'Basic realm="docrpc"');
    if (error.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(error.retryAfterSeconds));
    send(res, error.status, { error: error.error, error_description: error.message });
  }
}

/** RFC 6749 §5.1: token answers are never cached. */
function send(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
    pragma: 'no-cache',
  });
  res.end(payload);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
    throw new OAuthError('invalid_request', 'Send the form as application/x-www-form-urlencoded');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new OAuthError('invalid_request', 'The form is too large', 413);
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks, size).toString('utf8'));
}

/** RFC 6749 §3.2: a parameter must not be sent twice. */
function single(form: URLSearchParams, name: string): string | undefined {
  const values = form.getAll(name);
  if (values.length > 1) throw new OAuthError('invalid_request', `${name} was sent more than once`);
  return values[0];
}

/** HTTP Basic client credentials: an id alone (or nothing, as Swagger UI may send) is a public client. */
function refuseClientSecret(authorization: string | undefined): void {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (basic === undefined) return;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const secret = decoded.slice(decoded.indexOf(':') + 1);
  if (decoded.includes(':') && secret !== '') throw invalidClient();
}

function invalidClient(): OAuthError {
  return new OAuthError('invalid_client', 'This server issues no client secrets: send none', 401);
}

function asOAuthError(error: unknown): never {
  if (!(error instanceof AppError)) throw error;
  switch (error.code) {
    case 'AUTH_INVALID':
    case 'AUTH_EXPIRED':
      throw new OAuthError('invalid_grant', error.message);
    case 'RATE_LIMIT_EXCEEDED':
      throw new OAuthError('slow_down', error.message, 429, error.details?.retryAfterSeconds);
    case 'VALIDATION_ERROR':
      throw new OAuthError('invalid_request', error.message);
    default:
      throw error;
  }
}
