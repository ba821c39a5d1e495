// The tasks benchmark's knobs, from BENCH_* environment variables (README, "Tasks").
import { envInt } from '../lib/report.js';

export function settings() {
  return {
    tasks: envInt('BENCH_TASKS', 1000),
    concurrency: envInt('BENCH_TASKS_CONCURRENCY', 20),
    rounds: envInt('BENCH_ROUNDS', 1),
    capSec: envInt('BENCH_TASKS_CAP_S', 10),
    latencySteps: envInt('BENCH_LATENCY_STEPS', 1000),
    latencyStepMs: envInt('BENCH_LATENCY_STEP_MS', 5),
    latencyEvents: envInt('BENCH_LATENCY_EVENTS', 1000),
    subscriptions: envInt('BENCH_SUBS', 2000),
    socketConfigs: (process.env.BENCH_SOCKETS ?? '1,20')
      .split(',')
      .map(Number)
      .filter((n) => n > 0),
    fanoutTasks: envInt('BENCH_FANOUT_TASKS', 1),
    fanoutSteps: envInt('BENCH_FANOUT_STEPS', 8),
    fanoutStepMs: envInt('BENCH_FANOUT_STEP_MS', 3000),
    profile: (process.env.BENCH_PROFILE ?? '').split(',').filter(Boolean),
    /** Which of (a), (b), (c) to run, e.g. "a" to profile throughput alone. */
    phases: (process.env.BENCH_PHASES ?? 'a,b,c').split(',').filter((p) => ['a', 'b', 'c'].includes(p)),
    ephemeralDb: process.env.BENCH_PG_EPHEMERAL === '1',
  };
}

export type Settings = ReturnType<typeof settings>;
