// Runs task handlers for every queue: claims the row, runs the definition with progress and abort,
// settles the row, and tells pg-boss the job's outcome (so it retries, or not).
import type { Job, JobResult, JobWithMetadata } from 'pg-boss';
import { ZodError } from 'zod';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { TaskDefinition, TaskDeps } from './define-task.js';
import type { JobQueue } from './queue.js';
import { queueName, taskDefinitions } from './registry.js';
import {
  type Attempt,
  isCurrentAttempt,
  markAttemptFailed,
  markRunning,
  markSucceeded,
  recordProgress,
} from './task-rows.js';

export interface TaskJobData {
  taskId: string;
}

/**
 * Abort reason when the row is no longer this attempt's: the user cancelled (and may have retried at once,
 * under a new job). The attempt ends quietly and writes nothing more; the row says what happened.
 */
class TaskCancelled extends Error {
  override name = 'TaskCancelled';
}

const CANCEL_POLL_MS = 1_000;

type WorkerSettings = Pick<Config['jobs'], 'workerConcurrency' | 'workerFetchBatch'>;

/**
 * pg-boss hands a fetcher its next batch only when the whole previous batch has settled: one long task
 * would idle a big batch's other slots. So the concurrency is split into several fetchers with small
 * batches, and each keeps fetching at once while its batches come back full (burst) instead of waiting
 * out the poll interval, which is what drains a backlog fast. Fetchers x batch never exceeds the
 * concurrency (10 with batches of 4 runs 3 x 3).
 */
export function workOptions(jobs: WorkerSettings) {
  const fetchers = Math.ceil(jobs.workerConcurrency / jobs.workerFetchBatch);
  const batchSize = Math.floor(jobs.workerConcurrency / fetchers);
  return {
    batchSize,
    localConcurrency: fetchers,
    burstWhenBatchFull: batchSize > 1,
    includeMetadata: true,
    perJobResults: true,
    pollingIntervalSeconds: 2,
    // New jobs arrive by NOTIFY at once; retries (start_after in the future) are found by this poll.
    notifyPollingIntervalSeconds: 2,
  } as const;
}

export async function startWorkers(boss: JobQueue, deps: TaskDeps, jobs: WorkerSettings): Promise<void> {
  for (const definition of taskDefinitions) {
    await boss.work(queueName(definition.type), workOptions(jobs), (jobs: JobWithMetadata<TaskJobData>[]) =>
      Promise.all(jobs.map((job) => runAttempt(deps, definition, job))),
    );
  }
}

async function runAttempt(
  deps: TaskDeps,
  definition: TaskDefinition,
  job: JobWithMetadata<TaskJobData> | Job<TaskJobData>,
): Promise<JobResult> {
  const { db } = deps;
  const { taskId } = job.data;
  const log = deps.logger.child({ taskId, jobId: job.id, type: definition.type });
  const claimed = await markRunning(db, taskId, job.id);
  if (!claimed) return { id: job.id, status: 'completed' };
  const attempt: Attempt = { taskId, jobId: job.id, number: claimed.attempts };

  const controller = new AbortController();
  const onJobAbort = () => controller.abort(job.signal.reason);
  job.signal.addEventListener('abort', onJobAbort, { once: true });
  const cancelWatch = setInterval(() => {
    isCurrentAttempt(db, attempt).then(
      (current) => current || controller.abort(new TaskCancelled('cancelled')),
      () => {},
    );
  }, CANCEL_POLL_MS);
  try {
    const input = definition.input.parse(claimed.input);
    const result = await definition.run({
      input,
      taskId,
      ownerId: claimed.ownerId,
      deps,
      attempt: claimed.attempts,
      signal: controller.signal,
      progress: async (pct, message) => {
        if (controller.signal.aborted) throw controller.signal.reason;
        if (!(await recordProgress(db, attempt, pct, message ?? null))) {
          controller.abort(new TaskCancelled('cancelled'));
          throw controller.signal.reason;
        }
      },
    });
    if (!(await markSucceeded(db, attempt, result))) {
      log.info('task attempt finished after it was cancelled: result dropped');
      return { id: job.id, status: 'completed' };
    }
    log.info('task succeeded');
    return { id: job.id, status: 'completed' };
  } catch (error) {
    if (controller.signal.reason instanceof TaskCancelled) {
      log.info('task cancelled while running');
      return { id: job.id, status: 'completed' };
    }
    const retryLimit = 'retryLimit' in job ? job.retryLimit : definition.retryLimit;
    const final =
      job.retryCount >= retryLimit ||
      error instanceof ZodError ||
      (error instanceof AppError && definition.finalCodes.includes(error.code));
    const info = describeFailure(error);
    if (!(await markAttemptFailed(db, attempt, info, final))) {
      // The row moved on (cancelled, perhaps retried under a new job): nothing left for this job to retry.
      log.info({ err: error }, 'task attempt failed after it was cancelled');
      return { id: job.id, status: 'completed' };
    }
    log.warn({ err: error, final }, 'task attempt failed');
    return { id: job.id, status: final ? 'deadletter' : 'failed', output: info };
  } finally {
    clearInterval(cancelWatch);
    job.signal.removeEventListener('abort', onJobAbort);
  }
}

function describeFailure(error: unknown) {
  if (error instanceof AppError) return { appCode: error.code, message: error.message };
  if (error instanceof ZodError) return { appCode: 'VALIDATION_ERROR', message: 'The task input is invalid' };
  // Internals stay in the log; the user sees a stable code.
  return { appCode: 'INTERNAL', message: 'The task failed unexpectedly' };
}
