// In-process calls into the app router: the real services, database, job queue and auth middleware, with no
// HTTP in between. For tests of business rules; what the transport does (statuses, headers, WebSocket, upload
// bytes) stays in the end-to-end tests on startTestServer.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { getTRPCErrorShape, TRPCError } from '@trpc/server';
import { z } from 'zod';
import { type AppServices, startAppServices } from '../../src/app.js';
import { appRouter } from '../../src/app-router.js';
import type { Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type { ZUploadMeta } from '../../src/modules/files/schemas.js';
import type { Context } from '../../src/trpc/context.js';
import { createCallerFactory } from '../../src/trpc/init.js';
import { type NewUser, newUserInput, type TestUser } from './auth.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { captureLogs, type LogCapture } from './log-capture.js';
import { loadTestConfig } from './test-config.js';

const createAppCaller = createCallerFactory(appRouter);

export type AppCaller = ReturnType<typeof createAppCaller>;

/**
 * What a client over HTTP finds in a failed call's `error` (the app's error formatter makes it). Parsed, not
 * cast: tRPC types a formatted shape as its default one.
 */
const ZCallError = z.object({
  message: z.string(),
  code: z.number(),
  data: z.looseObject({
    code: z.string(),
    httpStatus: z.number(),
    appCode: z.string(),
    fieldErrors: z.record(z.string(), z.array(z.string())).optional(),
  }),
});
export type CallErrorShape = z.infer<typeof ZCallError>;

export interface TestCallers {
  deps: AppServices['deps'];
  config: Config;
  database: TestDatabase;
  logs: LogCapture;
  /** A caller that presents no credential. */
  anonymous: AppCaller;
  /**
   * A caller presenting `token` (an access token or an API token) as its bearer, as a request's
   * Authorization header would; `uploadMeta` is what the typed client sends beside file.upload's bytes.
   */
  as(token: string, options?: { uploadMeta?: z.input<typeof ZUploadMeta> }): AppCaller;
  /** Registers a new user through auth.register; `api` calls as them. */
  register(overrides?: Partial<NewUser>): Promise<TestUser & { api: AppCaller }>;
  close(): Promise<void>;
}

export async function startTestCallers(options: { env?: Record<string, string> } = {}): Promise<TestCallers> {
  const database = await createTestDatabase();
  const config = await loadTestConfig(database.url, {
    // Every test registers its own users from one "IP".
    AUTH_RATE_LIMIT: '1000',
    // No worker: a task stays where the test put it (queued, cancelled…), so state rules are checked
    // without racing a handler. Tests of running tasks are end to end (tests/tasks/tasks.test.ts).
    WORKER_ENABLED: 'false',
    ...options.env,
  });
  const logs = captureLogs();
  const services = await startAppServices({ config, logger: createLogger(config, logs.stream) });
  const { deps } = services;

  // Built as src/http/trpc-context.ts builds it from a request; called once per procedure call.
  const callerFor = (bearer: string | null, uploadMeta: string | null): AppCaller =>
    createAppCaller((): Context => {
      const requestId = randomUUID();
      return {
        deps,
        caller: null,
        bearer,
        client: { ip: '127.0.0.1', userAgent: 'vitest (in-process)' },
        uploadMeta,
        subscriptionSlots: null,
        requestId,
        logger: deps.logger.child({ requestId }),
        transport: 'http',
      };
    });
  const anonymous = callerFor(null, null);
  const as: TestCallers['as'] = (token, options = {}) =>
    callerFor(
      token,
      options.uploadMeta ? Buffer.from(JSON.stringify(options.uploadMeta)).toString('base64url') : null,
    );

  return {
    deps,
    config,
    database,
    logs,
    anonymous,
    as,
    async register(overrides = {}) {
      const input = newUserInput(overrides);
      const session = await anonymous.auth.register(input);
      return { ...input, session, api: as(session.accessToken) };
    },
    async close() {
      await services.stop();
      await database.drop();
      await rm(config.dataDir, { recursive: true, force: true });
    },
  };
}

/** The shape the app's error formatter gives a failed call (no request id or path: none is asked for). */
function shapeOf(error: TRPCError): CallErrorShape {
  return ZCallError.parse(
    getTRPCErrorShape({
      config: appRouter._def._config,
      error,
      type: 'unknown',
      path: undefined,
      input: undefined,
      ctx: undefined,
    }),
  );
}

/** A failed call's error as a client would get it; 'no error' when it succeeded. */
export async function errorOf(promise: Promise<unknown>): Promise<CallErrorShape | 'no error'> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    if (error instanceof TRPCError) return shapeOf(error);
    throw error;
  }
}

/** The appCode of a failed call ('no error' when it succeeded), like helpers/auth.ts appCodeOf over HTTP. */
export async function appCodeOf(promise: Promise<unknown>): Promise<string> {
  const error = await errorOf(promise);
  return error === 'no error' ? error : error.data.appCode;
}

/**
 * file.upload's input for an in-process call. Its type is what a client sends (a Blob); the procedure's
 * parser receives what the HTTP adapter makes of that, a ReadableStream, and refuses anything else. So the
 * stream is handed over under the client's type: the one cast here, and why.
 */
export function octetBody(bytes: Uint8Array): Blob {
  return new Blob([new Uint8Array(bytes)]).stream() as unknown as Blob;
}
