// The one small API every background task type is written against.
import type { z } from 'zod';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { AppCode } from '../errors.js';
import type { ExtractionPool } from '../extraction/pool.js';
import type { Logger } from '../logger.js';
import type { BlobStore } from '../storage/blob-store.js';

/** What a handler may use: every process that runs handlers (npm start, npm run worker) provides it. */
export interface TaskDeps {
  db: Database;
  logger: Logger;
  blobs: BlobStore;
  extraction: ExtractionPool;
  /** Providers, limits and timeouts for summaries. */
  llm: Config['llm'];
  /** Opens users' sealed LLM keys: only processes that run handlers ever decrypt them. */
  sealKey: Buffer;
}

/** What an admission check may read: the API process, which runs it, has these too. */
export type AdmitDeps = Pick<TaskDeps, 'db' | 'llm'>;

export interface TaskRunContext<TInput> {
  input: TInput;
  taskId: string;
  /** The user who started the task: the handler acts for them and reads only their rows. */
  ownerId: string;
  deps: TaskDeps;
  /** The attempt number, from 1: a retried task runs again from the start and must not double-write. */
  attempt: number;
  /** Updates the task row and tells every subscriber. Throws once the task was cancelled. */
  progress(pct: number, message?: string): Promise<void>;
  /** Aborted on cancel, on worker shutdown and when the job expires. */
  signal: AbortSignal;
}

export interface TaskDefinition<TInput = unknown, TResult = unknown> {
  type: string;
  input: z.ZodType<TInput>;
  /** Attempts after the first (pg-boss retryLimit). */
  retryLimit: number;
  /** Seconds an attempt may run before it is presumed dead and retried elsewhere. */
  expireInSeconds: number;
  /**
   * A running worker confirms it is alive this often (pg-boss refreshes it at half the period); a
   * worker that dies (kill -9, OOM) is noticed after it, not after the whole expiry. pg-boss minimum: 10.
   */
  heartbeatSeconds: number;
  /**
   * App codes that end the task at the first failure: retrying cannot change the answer (a file that is
   * not there, content that cannot be read).
   */
  finalCodes: readonly AppCode[];
  /**
   * Decides, before a job is sent, whether `ownerId` may start a run of this task: on create and again on
   * task.retry, which sends a new job for the same input. Throws (AppError) to refuse; nothing is written
   * then. Limits that count runs (the LLM rate limit) belong here, so a retry is counted like a new request.
   */
  admit?(deps: AdmitDeps, ownerId: string, input: TInput): Promise<void>;
  run(context: TaskRunContext<TInput>): Promise<TResult>;
}

export function defineTask<TInput, TResult>(
  type: string,
  definition: Omit<
    TaskDefinition<TInput, TResult>,
    'type' | 'retryLimit' | 'expireInSeconds' | 'heartbeatSeconds' | 'finalCodes'
  > &
    Partial<Pick<TaskDefinition, 'retryLimit' | 'expireInSeconds' | 'heartbeatSeconds' | 'finalCodes'>>,
): TaskDefinition<TInput, TResult> {
  return {
    type,
    retryLimit: 2,
    expireInSeconds: 15 * 60,
    heartbeatSeconds: 10,
    finalCodes: [],
    ...definition,
  };
}
