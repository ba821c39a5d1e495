// The only reader of process.env: every setting parsed and defaulted by zod, with errors that name the variable.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const port = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

const positiveInt = z.coerce.number({ error: 'must be a number' }).int('must be a whole number').positive();

const commaList = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

const ZEnv = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine(
      (v) => v === undefined || /^postgres(ql)?:\/\//.test(v),
      'must start with postgres:// or postgresql://',
    ),
  DATABASE_POOL_MAX: positiveInt.default(10),
  EMBEDDED_PG_PORT: port.default(0),
  PORT: port.default(3000),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().trim().min(1).default('./.data'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: z
    .enum(['true', 'false', 'auto'])
    .default('auto')
    .transform((v) => (v === 'auto' ? Boolean(process.stdout.isTTY) : v === 'true')),
  CORS_ORIGINS: commaList.pipe(z.array(z.url({ error: 'must be a comma-separated list of origins' }))),
  MAX_REQUEST_BYTES: positiveInt.default(1024 * 1024),
  MAX_BATCH_SIZE: positiveInt.default(50),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt.default(15 * 60),
  REFRESH_TOKEN_TTL_DAYS: positiveInt.default(30),
  ADMIN_EMAILS: commaList.transform((list) => list.map((email) => email.toLowerCase())),
  LLM_BASE_URL_ALLOWLIST: commaList.pipe(z.array(z.url({ error: 'must be a comma-separated list of URLs' }))),
  AUTH_RATE_LIMIT: positiveInt.default(10),
  AUTH_RATE_LIMIT_WINDOW_SECONDS: positiveInt.default(60),
  AUTH_RECHECK_MS: positiveInt.default(15_000),
  WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: positiveInt.default(100),
  WS_AUTH_TIMEOUT_MS: positiveInt.default(10_000),
  SSE_HEARTBEAT_MS: positiveInt.default(15_000),
  MAX_UPLOAD_BYTES: positiveInt.default(512 * 1024 * 1024),
  USER_QUOTA_BYTES: positiveInt.default(1024 * 1024 * 1024),
  DOWNLOAD_URL_TTL_SECONDS: positiveInt.default(300),
  UPLOAD_TEMP_MAX_AGE_SECONDS: positiveInt.default(60 * 60),
  WORKER_ENABLED: z.enum(['true', 'false']).default('true'),
  WORKER_CONCURRENCY: positiveInt.default(8),
  WORKER_FETCH_BATCH: positiveInt.default(4),
  JOB_POOL_MAX: positiveInt.default(4),
  JOB_SUPERVISE_INTERVAL_SECONDS: positiveInt.default(5),
  DEMO_TASKS_ENABLED: z.enum(['true', 'false']).optional(),
  EXTRACT_THREADS: positiveInt.default(1),
  LLM_BASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(z.url({ error: 'must be a URL such as https://api.openai.com/v1' }).optional()),
  LLM_API_KEY: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined)),
  LLM_MODEL: z.string().trim().min(1).default('gpt-4o-mini'),
  LLM_VISION_MODEL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined)),
  LLM_TIMEOUT_MS: positiveInt.default(120_000),
  LLM_MAX_RETRIES: z.coerce.number({ error: 'must be a number' }).int().min(0).max(10).default(3),
  LLM_CONCURRENCY: positiveInt.default(4),
  LLM_CONTEXT_TOKENS: positiveInt.min(4096, 'must be at least 4096').default(16_000),
  LLM_RATE_LIMIT: positiveInt.default(30),
  LLM_RATE_LIMIT_WINDOW_SECONDS: positiveInt.max(3600, 'must be at most 3600').default(3600),
  EXTRACT_MAX_BYTES_IN_FLIGHT: positiveInt.default(256 * 1024 * 1024),
});

export type Env = z.input<typeof ZEnv>;

/** Where a key without a base URL (the server's or a user's) is sent. */
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** Well-known public OpenAI-compatible endpoints a user may point at in production without extra setup. */
const DEFAULT_LLM_BASE_URLS = [
  'https://api.openai.com',
  'https://dashscope.aliyuncs.com',
  'https://dashscope-intl.aliyuncs.com',
];

export interface Config {
  env: 'development' | 'production' | 'test';
  databaseUrl: string | undefined;
  databasePoolMax: number;
  embeddedPgPort: number;
  port: number;
  host: string;
  dataDir: string;
  jwtSecret: string;
  logLevel: z.infer<typeof ZEnv>['LOG_LEVEL'];
  logPretty: boolean;
  corsOrigins: string[];
  maxRequestBytes: number;
  /** Most calls one tRPC batch may carry (HTTP request or WebSocket message); larger ones get a 400. */
  maxBatchSize: number;
  shutdownTimeoutMs: number;
  /** A comment line this often on an idle REST event stream, so proxies and clients keep it open. */
  sseHeartbeatMs: number;
  webSocket: {
    /** Live subscriptions one connection may hold; the next one is refused. */
    maxSubscriptionsPerConnection: number;
    /** A connection that has not authenticated by then is closed. */
    authTimeoutMs: number;
  };
  jobs: {
    /** Run task handlers in this process (the one-command default); `npm run worker` runs only them. */
    workerEnabled: boolean;
    workerConcurrency: number;
    /** Jobs claimed per fetch; the concurrency is split into fetchers of this size. */
    workerFetchBatch: number;
    poolMax: number;
    superviseIntervalSeconds: number;
    /** task.createDemo for everyone (default outside production); admins may always. */
    demoTasksEnabled: boolean;
    /** Worker threads that parse files for document.extract, per process that runs task handlers. */
    extractThreads: number;
    /** Bytes of files read into memory for extraction at once; a larger file runs alone. */
    extractMaxBytesInFlight: number;
  };
  files: {
    maxUploadBytes: number;
    userQuotaBytes: number;
    downloadUrlTtlSeconds: number;
    /** Staged upload bytes older than this are left over by a process that died; swept at start. */
    uploadTempMaxAgeSeconds: number;
  };
  auth: {
    accessTokenTtlSeconds: number;
    refreshTokenTtlDays: number;
    adminEmails: string[];
    /** Origins a user's LLM base URL may point at in production; anything in development. */
    llmBaseUrlAllowlist: string[];
    rateLimit: number;
    rateLimitWindowSeconds: number;
    /** How often a live subscription re-checks that its session or token still stands. */
    recheckMs: number;
  };
  llm: {
    /**
     * The server-wide provider, for users without one of their own; null when neither LLM_BASE_URL nor
     * LLM_API_KEY is set (summaries then use the built-in offline summariser).
     */
    server: LlmProviderSettings | null;
    /** The model asked for when neither the call nor the user's settings name one. */
    defaultModel: string;
    /** A vision-capable model of the server's provider for PNG/JPEG files; none: images are refused. */
    visionModel: string | undefined;
    /** One call to the provider may take this long (streamed), then it is retried. */
    timeoutMs: number;
    /** Retries of a call after a 429, a 5xx, a timeout or a dropped connection. */
    maxRetries: number;
    /** Calls one summary keeps in flight at once. */
    concurrency: number;
    /** Tokens one call may carry (prompt and answer): long texts are split to fit. */
    contextTokens: number;
    /** Summaries one user may start per window. */
    rateLimit: number;
    rateLimitWindowSeconds: number;
  };
}

export interface LlmProviderSettings {
  baseURL: string;
  /** Local servers (Ollama, vLLM) often need none: a placeholder is sent. */
  apiKey: string | undefined;
}

/** Thrown for a bad setting; its message is one line naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses settings from an env-like record. Pure except for the development JWT secret, which is
 * generated once and kept in DATA_DIR so tokens survive restarts.
 */
export function loadConfig(source: Record<string, string | undefined> = readProcessEnv()): Config {
  const parsed = ZEnv.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    const got = source[name] === undefined ? '' : ` (got ${JSON.stringify(source[name])})`;
    throw new ConfigError(`Invalid configuration: ${name} ${issue?.message ?? 'is invalid'}${got}`);
  }
  const env = parsed.data;
  const dataDir = path.resolve(env.DATA_DIR);
  return {
    env: env.NODE_ENV,
    databaseUrl: env.DATABASE_URL,
    databasePoolMax: env.DATABASE_POOL_MAX,
    embeddedPgPort: env.EMBEDDED_PG_PORT,
    port: env.PORT,
    host: env.HOST,
    dataDir,
    jwtSecret: env.JWT_SECRET ?? developmentJwtSecret(env.NODE_ENV, dataDir),
    logLevel: env.LOG_LEVEL,
    logPretty: env.LOG_PRETTY,
    corsOrigins: env.CORS_ORIGINS,
    maxRequestBytes: env.MAX_REQUEST_BYTES,
    maxBatchSize: env.MAX_BATCH_SIZE,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    sseHeartbeatMs: env.SSE_HEARTBEAT_MS,
    webSocket: {
      maxSubscriptionsPerConnection: env.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION,
      authTimeoutMs: env.WS_AUTH_TIMEOUT_MS,
    },
    jobs: {
      workerEnabled: env.WORKER_ENABLED === 'true',
      workerConcurrency: env.WORKER_CONCURRENCY,
      workerFetchBatch: env.WORKER_FETCH_BATCH,
      poolMax: env.JOB_POOL_MAX,
      superviseIntervalSeconds: env.JOB_SUPERVISE_INTERVAL_SECONDS,
      demoTasksEnabled:
        (env.DEMO_TASKS_ENABLED ?? (env.NODE_ENV === 'production' ? 'false' : 'true')) === 'true',
      extractThreads: env.EXTRACT_THREADS,
      extractMaxBytesInFlight: env.EXTRACT_MAX_BYTES_IN_FLIGHT,
    },
    files: {
      maxUploadBytes: env.MAX_UPLOAD_BYTES,

      userQuotaBytes: env.USER_QUOTA_BYTES,
      downloadUrlTtlSeconds: env.DOWNLOAD_URL_TTL_SECONDS,
      uploadTempMaxAgeSeconds: env.UPLOAD_TEMP_MAX_AGE_SECONDS,
    },

    auth: {
      accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
      adminEmails: env.ADMIN_EMAILS,
      llmBaseUrlAllowlist: (env.LLM_BASE_URL_ALLOWLIST.length > 0
        ? env.LLM_BASE_URL_ALLOWLIST
        : DEFAULT_LLM_BASE_URLS
      ).map((url) => new URL(url).origin),
      rateLimit: env.AUTH_RATE_LIMIT,
      rateLimitWindowSeconds: env.AUTH_RATE_LIMIT_WINDOW_SECONDS,
      recheckMs: env.AUTH_RECHECK_MS,
    },
    llm: {
      server:
        env.LLM_BASE_URL || env.LLM_API_KEY
          ? { baseURL: env.LLM_BASE_URL ?? OPENAI_BASE_URL, apiKey: env.LLM_API_KEY }
          : null,
      defaultModel: env.LLM_MODEL,
      visionModel: env.LLM_VISION_MODEL,
      timeoutMs: env.LLM_TIMEOUT_MS,
      maxRetries: env.LLM_MAX_RETRIES,
      concurrency: env.LLM_CONCURRENCY,
      contextTokens: env.LLM_CONTEXT_TOKENS,
      rateLimit: env.LLM_RATE_LIMIT,
      rateLimitWindowSeconds: env.LLM_RATE_LIMIT_WINDOW_SECONDS,
    },
  };
}

function developmentJwtSecret(nodeEnv: Config['env'], dataDir: string): string {
  if (nodeEnv === 'production') {
    throw new ConfigError('Invalid configuration: JWT_SECRET is required when NODE_ENV=production');
  }
  const file = path.join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return secret;
  } catch (error) {
    // Another process started at the same moment and wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw error;
  }
}

/** process.env plus an optional .env in the working directory (real environment wins). */
function readProcessEnv(): Record<string, string | undefined> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return process.env;
}
