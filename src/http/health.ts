// /health says the process is up; /ready says it can serve (database reachable, not shutting down).
import type { ServerResponse } from 'node:http';
import { sendJson } from './json-response.js';

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 2_000;

export function sendHealth(res: ServerResponse): void {
  sendJson(res, 200, { status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
}

export async function sendReadiness(
  res: ServerResponse,
  checks: ReadinessCheck[],
  shuttingDown: boolean,
): Promise<void> {
  if (shuttingDown) {
    sendJson(res, 503, { status: 'shutting-down', checks: {} });
    return;
  }
  const results = await Promise.all(
    checks.map(
      async ({ name, check }) => [name, await withTimeout(check()).then(() => 'ok', describe)] as const,
    ),
  );
  const ok = results.every(([, result]) => result === 'ok');
  sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not-ready', checks: Object.fromEntries(results) });
}

function withTimeout(promise: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A failed check names its cause briefly; connection strings and stacks stay in the logs. */
function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `error: ${code}` : 'error';
}
