// Login cost and timing: unknown email vs wrong password (must not tell them apart), ms per login and
// logins/s on this machine, against the raw cost of one argon2id verify measured in the same run.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import argon2 from 'argon2';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { ARGON2_OPTIONS } from '../src/modules/auth/passwords.js';

const ROUNDS = Number(process.env.BENCH_LOGIN_ROUNDS ?? 40);
const CONCURRENCY = Number(process.env.BENCH_LOGIN_CONCURRENCY ?? 4);

async function main() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'docrpc-bench-auth-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'warn',
    LOG_PRETTY: 'false',
    AUTH_RATE_LIMIT: '1000000',
  });
  const app = await startApp({ config, logger: createLogger(config) });
  try {
    const post = async (procedure: string, input: unknown) => {
      const started = performance.now();
      const response = await fetch(`${app.url}/trpc/${procedure}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ json: input }),
      });
      await response.arrayBuffer();
      return { status: response.status, ms: performance.now() - started };
    };
    const password = 'benchmark passphrase 1';
    await post('auth.register', { username: 'bench', email: 'bench@example.com', password });

    // Baseline: one argon2id verify, in this process, nothing else.
    const hash = await argon2.hash(password, ARGON2_OPTIONS);
    const verifyMs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const started = performance.now();
      await argon2.verify(hash, 'wrong password');
      verifyMs.push(performance.now() - started);
    }

    // Interleaved so drift (thermal, other load) hits both kinds alike.
    const unknown: number[] = [];
    const wrong: number[] = [];
    const ok: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const a = await post('auth.login', { login: `nobody${i}@example.com`, password: 'wrong password' });
      const b = await post('auth.login', { login: 'bench@example.com', password: 'wrong password' });
      const c = await post('auth.login', { login: 'bench@example.com', password });
      if (a.status !== 401 || b.status !== 401 || c.status !== 200)
        throw new Error(`unexpected statuses ${a.status} ${b.status} ${c.status}`);
      unknown.push(a.ms);
      wrong.push(b.ms);
      ok.push(c.ms);
    }

    // Throughput: CONCURRENCY callers logging in back to back.
    const total = ROUNDS * 2;
    let issued = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (issued < total) {
          issued += 1;
          const r = await post('auth.login', { login: 'bench@example.com', password });
          if (r.status !== 200) throw new Error(`login failed: ${r.status}`);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;

    const median = (values: number[]) => {
      const sorted = [...values].sort((x, y) => x - y);
      return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
    };
    const m = { verify: median(verifyMs), unknown: median(unknown), wrong: median(wrong), ok: median(ok) };
    const gap = Math.abs(m.unknown - m.wrong) / Math.max(m.unknown, m.wrong);
    console.log(`auth.login on ${os.cpus().length} cores, node ${process.version}, ${ROUNDS} rounds each`);
    console.log(`  argon2id verify alone (baseline): median ${m.verify.toFixed(1)} ms`);
    console.log(
      `  unknown email:   median ${m.unknown.toFixed(1)} ms (${(m.unknown / m.verify).toFixed(2)}× baseline)`,
    );
    console.log(
      `  wrong password:  median ${m.wrong.toFixed(1)} ms (${(m.wrong / m.verify).toFixed(2)}× baseline)`,
    );
    console.log(
      `  successful:      median ${m.ok.toFixed(1)} ms (${(m.ok / m.verify).toFixed(2)}× baseline)`,
    );
    console.log(`  unknown vs wrong differ by ${(gap * 100).toFixed(1)}% (target < 20%)`);
    console.log(
      `  throughput: ${(total / seconds).toFixed(1)} logins/s with ${CONCURRENCY} concurrent callers`,
    );
    if (gap >= 0.2) process.exitCode = 1;
  } finally {
    await app.stop();
    await rm(dataDir, { recursive: true, force: true });
    // As root behind a 0700 temp dir the cluster was relocated; it is throw-away here too.
    const cluster = app.database.embeddedClusterDir;
    if (cluster && !cluster.startsWith(dataDir))
      await rm(path.dirname(cluster), { recursive: true, force: true });
  }
}

await main();
