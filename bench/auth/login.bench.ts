// auth.login: an unknown email must cost what a wrong password costs (no account probing by timing), and a
// login should cost little beyond its one argon2id verify, measured alone in this process as the baseline.
import argon2 from 'argon2';
import { BENCH_USER, docrpcEnv, register, startDocrpc } from '../lib/docrpc.js';
import { envInt, median } from '../lib/measure.js';
import { type AreaResult, type BenchContext, fixed, over, ratio } from '../lib/report.js';

/** OWASP's argon2id parameters, which docrpc uses (m 19 MiB, t 2, p 1). */
const ARGON2 = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export async function run(ctx: BenchContext): Promise<AreaResult> {
  const rounds = envInt('BENCH_LOGIN_ROUNDS', 40);
  const concurrency = envInt('BENCH_LOGIN_CONCURRENCY', 4);
  const server = await startDocrpc(ctx, 'docrpc', await docrpcEnv(ctx, 'bench_auth'));
  try {
    await register(server.port);
    const login = async (email: string, password: string) => {
      const started = performance.now();
      const res = await fetch(`http://127.0.0.1:${server.port}/trpc/auth.login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ json: { login: email, password } }),
      });
      await res.arrayBuffer();
      return { status: res.status, ms: performance.now() - started };
    };
    const hash = await argon2.hash(BENCH_USER.password, ARGON2);
    const verify: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const started = performance.now();
      await argon2.verify(hash, 'wrong password');
      verify.push(performance.now() - started);
    }
    // Interleaved, so drift and neighbours hit the three kinds alike.
    const ms = { unknown: [] as number[], wrong: [] as number[], ok: [] as number[] };
    for (let i = 0; i < rounds; i++) {
      const a = await login(`nobody${i}@example.com`, 'wrong password');
      const b = await login(BENCH_USER.email, 'wrong password');
      const c = await login(BENCH_USER.email, BENCH_USER.password);
      if (a.status !== 401 || b.status !== 401 || c.status !== 200)
        throw new Error(`unexpected statuses ${a.status} ${b.status} ${c.status}`);
      ms.unknown.push(a.ms);
      ms.wrong.push(b.ms);
      ms.ok.push(c.ms);
    }
    let issued = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (; issued < rounds * 2; issued++) {
          const r = await login(BENCH_USER.email, BENCH_USER.password);
          if (r.status !== 200) throw new Error(`login failed: ${r.status}`);
        }
      }),
    );
    const perSec = (rounds * 2 * 1000) / (performance.now() - started);
    const m = {
      verify: median(verify),
      unknown: median(ms.unknown),
      wrong: median(ms.wrong),
      ok: median(ms.ok),
    };
    const gap = over(Math.abs((m.unknown ?? 0) - (m.wrong ?? 0)), Math.max(m.unknown ?? 0, m.wrong ?? 0));
    const row = (name: string, v: number | null) => [name, fixed(v, 1), fixed(over(v, m.verify), 2)];
    return {
      area: 'auth',
      settings: { rounds, concurrency, argon2: { ...ARGON2, type: 'argon2id' } },
      tables: [
        {
          title: `auth.login over HTTP, median of ${rounds}; ${fixed(perSec, 1)} logins/s with ${concurrency} callers`,
          head: ['call', 'ms', 'x argon2id verify'],
          rows: [
            row('argon2id verify alone (baseline)', m.verify),
            row('login, unknown email', m.unknown),
            row('login, wrong password', m.wrong),
            row('login, success', m.ok),
          ],
        },
      ],
      ratios: [
        ratio('|unknown email - wrong password| / the slower', gap, { max: 0.2 }),
        ratio('successful login / argon2id verify', over(m.ok, m.verify)),
      ],
      failures: gap !== null && gap >= 0.2 ? ['unknown email and wrong password are told apart by time'] : [],
      figures: { medians: m, loginsPerSec: perSec, all: { verify, ...ms } },
    };
  } finally {
    await server.stop();
  }
}
