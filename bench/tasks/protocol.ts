// What the tasks benchmark asks its child processes (WS subscriber, bare pg-boss baseline) and what they answer.

/** Wall-clock ms with sub-ms resolution; comparable across processes on one machine (same CLOCK_REALTIME). */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

export interface OpenArgs {
  /** ws://host:port/trpc */
  url: string;
  token: string;
  /** WebSocket connections to spread the subscriptions over (tRPC multiplexes them per socket). */
  sockets: number;
  /** `count` onProgress subscriptions to each task. */
  targets: { taskId: string; count: number }[];
}

/** One subscription's events: seq and arrival wall-clock time of each, in order. */
export interface SubRecord {
  taskId: string;
  seqs: number[];
  at: number[];
  /** The row's updatedAt carried by each event: set by the UPDATE that progress() sends, so ≈ when it was called. */
  changedAt: number[];
  /** The subscription ended by itself (the task reached a terminal status). */
  completed: boolean;
  error: string | null;
}

export type SubscriberApi = {
  /** Opens the subscriptions; resolves when every one has delivered its first (current state) event. */
  open(arg: OpenArgs): Promise<{ subscriptions: number; ms: number }>;
  /** Resolves when all subscriptions completed, or after timeoutMs with how many did. */
  waitCompleted(arg: { timeoutMs: number }): Promise<{ completed: number; total: number }>;
  collect(arg: null): Promise<SubRecord[]>;
  /** Unsubscribes everything and closes the sockets. */
  close(arg: null): Promise<null>;
};

export interface BaselineRun {
  jobs: number;
  concurrency: number;
  /** All jobs ran before capMs. */
  finished: boolean;
  /** Jobs whose handler returned (all of them when finished). */
  completed: number;
  /** First send → the handler has returned for every job (or capMs when not finished). */
  ms: number;
  /** First send → last send acknowledged. */
  sendMs: number;
  /** completed / ms. */
  jobsPerSec: number;
}

export type BaselineApi = {
  /** Jobs left when capMs passes are deleted, so they do not spill into what is measured next. */
  run(arg: { jobs: number; concurrency: number; capMs: number }): Promise<BaselineRun>;
  /** The queue and worker settings the baseline really used, for the report. */
  settings(arg: null): Promise<Record<string, unknown>>;
};
