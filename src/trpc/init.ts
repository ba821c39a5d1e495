// tRPC is initialised here and only here: superjson on the wire, errors shaped by trpc/errors.ts.
import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import type { OpenApiMeta } from 'trpc-to-openapi';
import type { ApiScope } from '../db/schema/auth.js';
import type { Context } from './context.js';
import { describeError } from './errors.js';

/** Per-procedure facts the middlewares (and the REST adapter, src/http/rest-handler.ts) read. */
export interface ProcedureMeta {
  /** The scope an API token needs to call this procedure; without one, API tokens may not call it. */
  scope?: ApiScope;
  /** Where the procedure is also served as plain JSON (`/api/...`); see trpc/rest-route.ts. */
  openapi?: OpenApiMeta['openapi'];
  /** The procedure answers with a task it started: REST answers 202 Accepted and a Location naming it. */
  startsTask?: true;
  /** Counted by a rate limit: the document lists its 429 answer. */
  rateLimited?: true;
}

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    transformer: superjson,
    // Never a stack trace, in any environment: the log line (with the same request id) has it.
    isDev: false,
    errorFormatter({ shape, error, ctx }) {
      // ctx is missing when the request failed before a context existed (bad content type, body too large);
      // the X-Request-ID response header still carries the id then.
      const { message, code, data } = describeError(error, ctx?.requestId);
      // tRPC's data brings the procedure path; a stack only with isDev, left out here should that change.
      const { stack: _stack, ...trpcData } = shape.data;
      return { ...shape, message, code, data: { ...trpcData, ...data } };
    },
  });

export const router = t.router;
export const mergeRouters = t.mergeRouters;
export const middleware = t.middleware;
export const createCallerFactory = t.createCallerFactory;
export const baseProcedure = t.procedure;
