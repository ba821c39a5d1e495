// The app router plus a few procedures that exist only to drive the error, size and shutdown paths.
import { EventEmitter } from 'node:events';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { appRouter } from '../../src/app-router.js';
import { AppError } from '../../src/errors.js';
import { mergeRouters, router } from '../../src/trpc/init.js';
import { perCallerRateLimit } from '../../src/trpc/middlewares/rate-limit.js';
import { publicProcedure, scopedProcedure, sessionProcedure } from '../../src/trpc/procedures.js';

/** Emits 'started' when a test.slow call begins: the request is then surely in the server's hands. */
export const slowCalls = new EventEmitter();

export const SECRET_IN_INTERNAL_ERROR = 'relation "secret_internal_table" does not exist';

export const testRouter = mergeRouters(
  appRouter,
  router({
    test: router({
      register: publicProcedure
        .input(z.object({ email: z.email(), age: z.number().int().min(13) }))
        .output(z.object({ ok: z.boolean() }))
        .mutation(() => ({ ok: true })),
      store: publicProcedure
        .input(z.object({ text: z.string() }))
        .output(z.object({ length: z.number() }))
        .mutation(({ input }) => ({ length: input.text.length })),
      explode: publicProcedure.output(z.never()).query(() => {
        throw new Error(SECRET_IN_INTERNAL_ERROR);
      }),
      // A query that fails on the value it is given, through drizzle and through postgres-js directly.
      failQuery: publicProcedure
        .input(z.object({ value: z.string(), driver: z.enum(['drizzle', 'postgres']) }))
        .output(z.never())
        .query(async ({ ctx, input }) => {
          if (input.driver === 'drizzle') await ctx.deps.db.execute(sql`select ${input.value}::uuid`);
          else await ctx.deps.db.$client.unsafe('select $1::uuid', [input.value]);
          throw new Error('the query should have failed');
        }),
      // A bug of ours: the answer does not pass the procedure's own output schema.
      badOutput: publicProcedure.output(z.object({ count: z.number().max(1) })).query(() => ({ count: 2 })),
      conflict: publicProcedure.output(z.never()).query(() => {
        throw new AppError('CONFLICT', 'That name is taken');
      }),
      slow: publicProcedure
        .input(z.object({ ms: z.number().int().max(5_000) }))
        .output(z.object({ waited: z.number() }))
        .query(async ({ input }) => {
          slowCalls.emit('started');
          await new Promise((resolve) => setTimeout(resolve, input.ms));
          return { waited: input.ms };
        }),
      large: publicProcedure
        .input(z.object({ items: z.number().int().max(10_000) }))
        .output(z.array(z.object({ id: z.number(), label: z.string() })))
        .query(({ input }) =>
          Array.from({ length: input.items }, (_, id) => ({ id, label: `item number ${id}` })),
        ),
      ticks: scopedProcedure('tasks:read')
        .input(z.object({ everyMs: z.number().int().min(10).max(1000) }))
        .subscription(async function* ({ input, signal }) {
          for (let n = 0; !signal?.aborted; n++) {
            yield n;
            await new Promise((resolve) => setTimeout(resolve, input.everyMs));
          }
        }),
      expensive: scopedProcedure('documents:write')
        .use(perCallerRateLimit('test.expensive', 2, 60))
        .output(z.object({ ok: z.boolean() }))
        .mutation(() => ({ ok: true })),
      limitedQuery: sessionProcedure
        .use(perCallerRateLimit('test.limitedQuery', 1, 60))
        .output(z.object({ ok: z.boolean() }))
        .query(() => ({ ok: true })),
      // What tRPC refuses to send as plain JSON (no output schema, to let the promise through).
      streamLike: publicProcedure.query(() => ({ later: Promise.resolve(1) })),
      whoami: publicProcedure
        .output(z.object({ requestId: z.string(), transport: z.enum(['http', 'ws']) }))
        .query(({ ctx }) => ({ requestId: ctx.requestId, transport: ctx.transport })),
    }),
  }),
);

export type TestRouter = typeof testRouter;
