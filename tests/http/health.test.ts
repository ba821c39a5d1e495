// /ready's verdicts, including the ones a healthy test server never reaches (failing check, shutting down).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { type ReadinessCheck, sendReadiness } from '../../src/http/health.js';

async function readiness(checks: ReadinessCheck[], shuttingDown: boolean) {
  const server = http.createServer((_req, res) => void sendReadiness(res, checks, shuttingDown));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/ready`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  } finally {
    server.close();
  }
}

describe('sendReadiness', () => {
  it('is 503 naming the failed check, without its message', async () => {
    const failing: ReadinessCheck = {
      name: 'database',
      check: async () => {
        throw Object.assign(new Error('password authentication failed for user "postgres"'), {
          code: '28P01',
        });
      },
    };
    const { status, body } = await readiness([failing, { name: 'queue', check: async () => {} }], false);
    expect(status).toBe(503);
    expect(body).toEqual({ status: 'not-ready', checks: { database: 'error: 28P01', queue: 'ok' } });
  });

  it('is 503 while shutting down, without running the checks', async () => {
    let ran = false;
    const check = async () => {
      ran = true;
    };
    const { status, body } = await readiness([{ name: 'database', check }], true);
    expect(status).toBe(503);
    expect(body.status).toBe('shutting-down');
    expect(ran).toBe(false);
  });

  it('gives up on a check that hangs', async () => {
    const hanging: ReadinessCheck = { name: 'database', check: () => new Promise(() => {}) };
    const { status, body } = await readiness([hanging], false);
    expect(status).toBe(503);
    expect(body.checks).toEqual({ database: 'error' });
  });
});
