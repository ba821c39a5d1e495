// system.info throughput: docrpc vs bare tRPC vs raw node:http, each in its own process.
import { docrpcEnv, startDocrpc } from '../lib/docrpc.js';
import { benchHttp, type HttpTarget, httpFailures, httpTable } from '../lib/http-bench.js';
import { spawnNode } from '../lib/processes.js';
import { type AreaResult, type BenchContext, over, ratio } from '../lib/report.js';

const PATH = '/trpc/system.info';

export async function run(ctx: BenchContext): Promise<AreaResult> {
  const env = await docrpcEnv(ctx, 'bench_system');
  const verify = (reply: { status: number; body: string }) => {
    if (reply.status !== 200 || !reply.body.includes('"name":"docrpc"'))
      throw new Error(`unexpected answer ${reply.status}: ${reply.body.slice(0, 200)}`);
  };
  const baseline = (id: string, name: string, kind: string): HttpTarget => ({
    id,
    name,
    path: PATH,
    verify,
    start: () =>
      spawnNode({
        id,
        script: 'bench/system/baseline-servers.ts',
        logDir: ctx.tmpDir,
        env: { NODE_ENV: 'production', BASELINE: kind },
        readyPath: PATH,
      }),
  });
  const targets: HttpTarget[] = [
    baseline('raw', 'raw node', 'raw'),
    baseline('bare', 'bare tRPC', 'trpc'),
    { id: 'docrpc', name: 'docrpc', path: PATH, verify, start: () => startDocrpc(ctx, 'docrpc', env) },
  ];
  const { medians, rounds } = await benchHttp(targets, ctx);
  const get = (id: string) => medians.find((o) => o.id === id && !o.error);
  const [raw, bare, docrpc] = [get('raw'), get('bare'), get('docrpc')];
  return {
    area: 'system',
    settings: { path: PATH, ...ctx.load, rounds: ctx.rounds },
    tables: [httpTable(`GET ${PATH}${ctx.rounds > 1 ? `, median of ${ctx.rounds} rounds` : ''}`, medians)],
    ratios: [
      ratio('docrpc / bare tRPC, req/s', over(docrpc?.rps, bare?.rps), { min: 0.8 }),
      ratio('docrpc / bare tRPC, by CPU per request', over(bare?.cpuUsPerReq, docrpc?.cpuUsPerReq)),
      ratio('bare tRPC / raw node, req/s', over(bare?.rps, raw?.rps)),
    ],
    failures: httpFailures(medians),
    figures: { medians, rounds },
  };
}
