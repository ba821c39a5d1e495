// REST vs tRPC: the same procedure called as plain JSON under /api and over /trpc, against one docrpc process
// with one token, so the difference is the adapter alone: GET /api/files vs file.list (20 rows, the files
// area's page), GET /api/me vs auth.me. Target: a REST call costs at most 1.25x the tRPC call.
import { docrpcEnv, register, startDocrpc } from '../lib/docrpc.js';
import { benchHttp, type HttpOutcome, type HttpTarget, httpFailures, httpTable } from '../lib/http-bench.js';
import { median } from '../lib/measure.js';
import type { Child } from '../lib/processes.js';
import { type AreaResult, type BenchContext, over, type Ratio, ratio } from '../lib/report.js';

const PAGE = 20;
const trpcGet = (procedure: string, input?: unknown) =>
  `/trpc/${procedure}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`}`;

interface Pair {
  name: string;
  rest: string;
  trpc: string;
  /** What both answers must agree on, read from the plain JSON. */
  key(answer: unknown): string;
}

const PAIRS: Pair[] = [
  {
    name: 'file.list',
    rest: `/api/files?limit=${PAGE}`,
    trpc: trpcGet('file.list', { limit: PAGE }),
    key: (page) => {
      const items = (page as { items?: { id: string }[] }).items ?? [];
      if (items.length !== PAGE) throw new Error(`${items.length} rows, not ${PAGE}`);
      return items.map((file) => file.id).join();
    },
  },
  {
    name: 'auth.me',
    rest: '/api/me',
    trpc: trpcGet('auth.me'),
    key: (me) => JSON.stringify(me),
  },
];

/** Small distinct files, so file.list answers a full page with a next cursor. */
async function seed(port: number, token: string): Promise<void> {
  for (let i = 0; i < PAGE + 4; i++) {
    const response = await fetch(`http://127.0.0.1:${port}/files?name=seed-${i}.txt&tags=bench`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      body: `seed ${i}\n${'a small plain text line for file.list\n'.repeat(20)}`,
    });
    if (response.status !== 201) throw new Error(`seed upload: ${response.status} ${await response.text()}`);
  }
}

export async function run(ctx: BenchContext): Promise<AreaResult> {
  const env = await docrpcEnv(ctx, 'bench_rest');
  const server = await startDocrpc(ctx, 'docrpc-rest', env);
  try {
    const token = await register(server.port);
    await seed(server.port, token);
    const headers = { authorization: `Bearer ${token}` };
    // Every target is this one process: benchHttp measures its CPU per target, and must not stop it.
    const shared: Child = { ...server, stop: async () => {} };
    const targetsOf = (pair: Pair): HttpTarget[] => {
      let expected: string | undefined;
      const agree = (plain: unknown) => {
        const key = pair.key(plain);
        expected ??= key;
        if (key !== expected) throw new Error(`${pair.name}: REST and tRPC answered differently`);
      };
      const target = (transport: 'REST' | 'tRPC', path: string, unwrap: (body: unknown) => unknown) => ({
        id: transport,
        name: `${pair.name} ${transport}: GET ${path.split('?')[0]}`,
        path,
        headers,
        start: async () => shared,
        verify: ({ status, body }: { status: number; body: string }) => {
          if (status !== 200) throw new Error(`${status} ${body.slice(0, 300)}`);
          agree(unwrap(JSON.parse(body)));
        },
      });
      return [
        target(
          'tRPC',
          pair.trpc,
          (body) => (body as { result: { data: { json: unknown } } }).result.data.json,
        ),
        target('REST', pair.rest, (body) => body),
      ];
    };
    console.log(`GET ${PAIRS.map((p) => `${p.rest} vs ${p.trpc}`).join(', ')}; one process, one token`);
    const outcomes: HttpOutcome[] = [];
    const ratios: Ratio[] = [];
    const failures: string[] = [];
    const figures: Record<string, unknown> = {};
    for (const pair of PAIRS) {
      // A pair at a time: its two calls run back to back in every round (the order alternates), so each
      // round's REST / tRPC ratio compares like with like on a machine whose neighbours come and go.
      const { medians, rounds } = await benchHttp(targetsOf(pair), ctx, { withDb: true });
      outcomes.push(...medians);
      failures.push(...httpFailures(medians));
      figures[pair.name] = rounds;
      const paired = (cost: (o: HttpOutcome) => number | null) =>
        median(
          (rounds.REST ?? []).flatMap((rest, r) => {
            const trpc = rounds.tRPC?.[r];
            const value = trpc && !rest.error && !trpc.error ? over(cost(rest), cost(trpc)) : null;
            return value === null ? [] : [value];
          }),
        );
      const nodeAndDb = (o: HttpOutcome) => (o.cpuUsPerReq ?? 0) + (o.dbUsPerReq ?? 0) || null;
      const of = ctx.rounds > 1 ? `, median of ${ctx.rounds} paired rounds` : '';
      ratios.push(
        ratio(
          `${pair.name} REST / tRPC, node CPU per request${of}`,
          paired((o) => o.cpuUsPerReq),
          {
            max: 1.25,
          },
        ),
        ratio(`${pair.name} REST / tRPC, node + db CPU per request${of}`, paired(nodeAndDb)),
        // Cost by rate: tRPC's req/s over REST's.
        ratio(
          `${pair.name} REST / tRPC cost by req/s${of}`,
          paired((o) => (o.rps > 0 ? 1 / o.rps : null)),
        ),
      );
    }
    const suffix = ctx.rounds > 1 ? `, each the median of ${ctx.rounds} rounds` : '';
    return {
      area: 'rest',
      settings: { pairs: PAIRS.map(({ name, rest, trpc }) => ({ name, rest, trpc })), ...ctx.load },
      tables: [
        httpTable(`REST vs tRPC in one process${suffix}; db = all PostgreSQL processes`, outcomes, true),
      ],
      ratios,
      failures,
      figures,
    };
  } finally {
    await server.stop();
  }
}
