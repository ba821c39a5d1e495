// task.*: background work the caller started, and its live progress.

import { ZIdInput } from '../../schemas/common.js';
import { router } from '../../trpc/init.js';
import { scopedProcedure } from '../../trpc/procedures.js';
import { restRoutes } from '../../trpc/rest-route.js';
import {
  ZCreateDemoInput,
  ZListTasksInput,
  ZListTasksOutput,
  ZOnProgressInput,
  ZTaskOutput,
} from './schemas.js';
import * as tasks from './service.js';

const reader = scopedProcedure('tasks:read');
const writer = scopedProcedure('tasks:write');

const rest = restRoutes('Tasks');

export const taskRouter = router({
  get: reader
    .meta(rest.get('/api/tasks/{id}', 'Get a task (poll it until it ends)'))
    .input(ZIdInput)
    .output(ZTaskOutput)
    .query(({ ctx, input }) => tasks.getTask(ctx.deps, ctx.caller, input.id)),
  list: reader
    .meta(rest.get('/api/tasks', 'List your tasks'))
    .input(ZListTasksInput)
    .output(ZListTasksOutput)
    .query(({ ctx, input }) => tasks.listTasks(ctx.deps, ctx.caller, input)),
  cancel: writer
    .meta(rest.post('/api/tasks/{id}/cancel', 'Cancel a task'))
    .input(ZIdInput)
    .output(ZTaskOutput)
    .mutation(({ ctx, input }) => tasks.cancel(ctx.deps, ctx.caller, input.id)),
  retry: writer
    .meta(
      rest.post('/api/tasks/{id}/retry', 'Retry a failed or cancelled task', {
        startsTask: true,
        rateLimited: true,
      }),
    )
    .input(ZIdInput)
    .output(ZTaskOutput)
    .mutation(({ ctx, input }) => tasks.retry(ctx.deps, ctx.caller, input.id)),
  createDemo: writer
    .meta(rest.post('/api/tasks/demo', 'Start a demo task', { startsTask: true }))
    .input(ZCreateDemoInput)
    .output(ZTaskOutput)
    .mutation(({ ctx, input }) => tasks.createDemo(ctx.deps, ctx.caller, input)),
  onAnyProgress: reader.subscription(({ ctx, signal }) => tasks.watchAllTasks(ctx.deps, ctx.caller, signal)),
  onProgress: reader

    .input(ZOnProgressInput)
    .subscription(({ ctx, input, signal }) =>
      tasks.watchTask(ctx.deps, ctx.caller, input.taskId, input.lastEventId, signal),
    ),
});
