// The server's contract as a client sees it: every procedure's input and output, spelled out, and nothing of the
// server's context (database, queue, logger). The published .d.ts is emitted from here, so it carries these types
// in full and never points into the server's source tree or at a server-only package.
import type {
  AnyTRPCProcedure,
  inferRouterInputs,
  inferRouterOutputs,
  TRPC_ERROR_CODE_NUMBER,
  TRPCBuiltRouter,
  TRPCMutationProcedure,
  TRPCQueryProcedure,
  TRPCSubscriptionProcedure,
} from '@trpc/server';
import type { AppRouter as ServerRouter } from '../../src/app-router.js';
import type { AppErrorData } from '../../src/trpc/errors.js';

export type { AppCode } from '../../src/errors.js';
export type { AppErrorData };

/**
 * Procedures as they are, routers as plain records, three levels down (`admin.users.list`). Written out rather
 * than recursive on purpose: TypeScript prints an inferred value's type in full only where no alias names it,
 * and a recursive alias would name it (and drag the server's context in with its router types).
 */
function spelledOut<T>(): {
  [K in keyof T]: T[K] extends AnyTRPCProcedure
    ? Plain<T[K]>
    : {
        [L in keyof T[K]]: T[K][L] extends AnyTRPCProcedure
          ? Plain<T[K][L]>
          : { [M in keyof T[K][L]]: Plain<T[K][L][M]> };
      };
} {
  return undefined as never;
}

/**
 * A procedure with its input and output only: the server's procedure metadata (its REST route, typed by the
 * server-only trpc-to-openapi) is no business of a client and would pull that package into the declarations.
 */
type Plain<P> =
  P extends TRPCQueryProcedure<infer D>
    ? TRPCQueryProcedure<{ input: D['input']; output: D['output']; meta: object }>
    : P extends TRPCMutationProcedure<infer D>
      ? TRPCMutationProcedure<{ input: D['input']; output: D['output']; meta: object }>
      : P extends TRPCSubscriptionProcedure<infer D>
        ? TRPCSubscriptionProcedure<{ input: D['input']; output: D['output']; meta: object }>
        : P;

/** Never read at run time (only its type is imported); its emitted declaration is the whole contract. */
export const procedures = spelledOut<ServerRouter['_def']['record']>();

/** What every error answer carries (src/trpc/errors.ts builds it); `data.appCode` is the stable code. */
export interface DocrpcErrorShape {
  message: string;
  code: TRPC_ERROR_CODE_NUMBER;
  data: AppErrorData;
}

/** The router type for `createTRPCClient<AppRouter>` and `@trpc/tanstack-react-query`: procedures only. */
export type AppRouter = TRPCBuiltRouter<
  { ctx: object; meta: object; errorShape: DocrpcErrorShape; transformer: true },
  typeof procedures
>;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export type FileOutput = RouterOutputs['file']['get'];
export type TaskOutput = RouterOutputs['task']['get'];
export type TokenPair = RouterOutputs['auth']['refresh'];
