// The single router tree: every module's router merged under its area name.
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { adminRouter } from './modules/admin/router.js';
import { authRouter } from './modules/auth/router.js';
import { documentRouter } from './modules/documents/router.js';
import { fileRouter } from './modules/files/router.js';
import { statsRouter } from './modules/stats/router.js';
import { systemRouter } from './modules/system/router.js';
import { taskRouter } from './modules/tasks/router.js';
import { router } from './trpc/init.js';

export const appRouter = router({
  system: systemRouter,
  auth: authRouter,
  file: fileRouter,
  document: documentRouter,
  stats: statsRouter,
  task: taskRouter,

  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
