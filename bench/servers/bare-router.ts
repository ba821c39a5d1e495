// The minimal tRPC router (superjson, no context, no middleware) shared by the bare tRPC server and its variants.
import { initTRPC } from '@trpc/server';
import superjson from 'superjson';
import { systemInfo } from './system-info.js';

const t = initTRPC.create({ transformer: superjson });

export const bareRouter = t.router({
  system: t.router({
    info: t.procedure.query(() => systemInfo()),
  }),
});

export type BareRouter = typeof bareRouter;
