// Files: (a) upload and (b) download of one large file through docrpc vs raw node:http (and raw node storing
// into a hand-written blob store), (c) an authenticated file.list of 20 rows vs bare tRPC baselines.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt, SignJWT } from 'jose';
import { docrpcEnv, register, startDocrpc } from '../lib/docrpc.js';
import { benchHttp, type HttpTarget, httpFailures, httpTable } from '../lib/http-bench.js';
import { envInt, medianBy } from '../lib/measure.js';
import { type Child, spawnNode } from '../lib/processes.js';
import { type AreaResult, type BenchContext, fixed, over, ratio } from '../lib/report.js';
import { measured, stored, type TransferFigures, transfer, writeAsciiFile } from './transfer.js';

const MIB = 2 ** 20;
const PAGE = 20;
const LIST_PATH = `/trpc/file.list?input=${encodeURIComponent(JSON.stringify({ json: { limit: PAGE } }))}`;

async function transfers(ctx: BenchContext, env: NodeJS.ProcessEnv, fileMiB: number) {
  const file = join(ctx.tmpDir, 'source.txt');
  const source = writeAsciiFile(file, fileMiB);
  const rawDir = join(ctx.tmpDir, 'raw');
  const blobDir = join(ctx.tmpDir, 'raw-blob');
  const raw = (id: string, dir: string, store: string) =>
    spawnNode({
      id,
      script: 'bench/files/raw-upload.ts',
      logDir: ctx.tmpDir,
      env: { NODE_ENV: 'production', RAW_DIR: dir, RAW_STORE: store },
      readyPath: '/health',
    });
  const servers: Child[] = [];
  const started = async (name: string, child: Promise<Child>) => {
    servers.push(await child);
    return { ...(servers.at(-1) as Child), name };
  };
  try {
    mkdirSync(rawDir);
    mkdirSync(blobDir);
    const docrpc = await started('docrpc', startDocrpc(ctx, 'docrpc-transfer', env));
    const plain = await started('raw node', raw('raw', rawDir, 'file'));
    const blob = await started('raw + blob store', raw('raw-blob', blobDir, 'blob'));
    const token = await register(docrpc.port);
    const auth = { authorization: `Bearer ${token}` };
    const upload = { file, size: source.bytes };
    const figures: TransferFigures[] = [];
    for (let r = 0; r < ctx.rounds; r++) {
      const up = await measured(plain, 'upload', () =>
        transfer({ port: plain.port, path: '/upload', upload }),
      );
      const rawId = stored(up.reply, plain.name).id;
      const upBlob = await measured(blob, 'upload', () =>
        transfer({ port: blob.port, path: '/upload', upload }),
      );
      if (stored(upBlob.reply, blob.name).id !== source.sha256)
        throw new Error('raw + blob store: wrong sha256');
      rmSync(blobDir, { recursive: true, force: true });
      const path = '/files?name=big.txt';
      const upDoc = await measured(docrpc, 'upload', () =>
        transfer({ port: docrpc.port, path, upload, headers: auth }),
      );
      const doc = stored(upDoc.reply, docrpc.name);
      if (doc.size !== source.bytes || doc.sha256 !== source.sha256)
        throw new Error(`docrpc stored ${upDoc.reply.body}`);
      const down = await measured(plain, 'download', () =>
        transfer({ port: plain.port, path: `/raw/${rawId}` }),
      );
      rmSync(join(rawDir, rawId));
      const downDoc = await measured(docrpc, 'download', () =>
        transfer({ port: docrpc.port, path: `/files/${doc.id}/content`, headers: auth }),
      );
      for (const d of [down, downDoc])
        if (d.reply.status !== 200 || d.reply.bytes !== source.bytes)
          throw new Error(`download: ${d.reply.status}, ${d.reply.bytes} of ${source.bytes} bytes`);
      figures.push(up.figures, upBlob.figures, upDoc.figures, down.figures, downDoc.figures);
    }
    // Distinct small text files, so file.list has a full page and a next cursor.
    for (let i = 0; i < PAGE + 4; i++) {
      const seed = join(ctx.tmpDir, `seed-${i}.txt`);
      writeFileSync(seed, `seed ${i}\n${'a small plain text line for file.list\n'.repeat(20)}`);
      const upload = { file: seed, size: statSync(seed).size };
      const path = `/files?name=seed-${i}.txt&tags=bench`;
      stored(await transfer({ port: docrpc.port, path, upload, headers: auth }), 'seed');
    }
    return { figures, token };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(file, { force: true });
  }
}

async function list(ctx: BenchContext, env: NodeJS.ProcessEnv, docrpcToken: string) {
  // The baseline has a key of its own; its token carries the same user, session and version as docrpc's.
  const secret = randomBytes(32);
  const { sub, sid, ver } = decodeJwt(docrpcToken);
  const bareToken = await new SignJWT({ sid, ver })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(String(sub))
    .setIssuer('bench')
    .setAudience('bench')
    .setIssuedAt()
    .setNotBefore('0s')
    .setExpirationTime('2h')
    .sign(secret);
  let expected: string | undefined;
  const verify = ({ status, body }: { status: number; body: string }) => {
    const page = (
      JSON.parse(body) as {
        result?: { data?: { json?: { items?: { id: string }[]; nextCursor?: unknown } } };
      }
    ).result?.data?.json;
    if (status !== 200 || page?.items?.length !== PAGE || typeof page.nextCursor !== 'string')
      throw new Error(`file.list: ${status} ${body.slice(0, 300)}`);
    // Every server must return the first one's page: the same rows, in the same order.
    const ids = page.items.map((f) => f.id).join();
    expected ??= ids;
    if (ids !== expected) throw new Error('file.list: another page than the first server returned');
  };
  const bare = (id: string, name: string, session: string): HttpTarget => ({
    id,
    name,
    path: LIST_PATH,
    headers: { authorization: `Bearer ${bareToken}` },
    verify,
    start: () =>
      spawnNode({
        id,
        script: 'bench/files/bare-list.ts',
        logDir: ctx.tmpDir,
        env: {
          NODE_ENV: 'production',
          DATABASE_URL: env.DATABASE_URL,
          BARE_JWT_SECRET: secret.toString('hex'),
          BARE_SESSION: session,
        },
        readyPath: '/trpc/health',
      }),
  });
  const docrpc: HttpTarget = {
    id: 'docrpc',
    name: 'docrpc',
    path: LIST_PATH,
    headers: { authorization: `Bearer ${docrpcToken}` },
    verify,
    start: () => startDocrpc(ctx, 'docrpc-list', env),
  };
  return benchHttp(
    [docrpc, bare('bare', 'bare tRPC', '0'), bare('session', 'bare tRPC + session query', '1')],
    ctx,
    {
      withDb: true,
    },
  );
}

export async function run(ctx: BenchContext): Promise<AreaResult> {
  const fileMiB = envInt('BENCH_FILE_MB', 1024);
  const env = {
    ...(await docrpcEnv(ctx, 'bench_files')),
    MAX_UPLOAD_BYTES: String(fileMiB * MIB + MIB),
    // Every round adds a row of the big file's size (the blob is shared); the seeds come on top.
    USER_QUOTA_BYTES: String(fileMiB * MIB * ctx.rounds + 64 * MIB),
  };
  console.log(`(a)+(b) upload and download of ${fileMiB} MiB`);
  const t = await transfers(ctx, env, fileMiB);
  console.log(`(c) GET ${LIST_PATH}, authenticated`);
  const l = await list(ctx, env, t.token);

  const median = (server: string, direction: string) =>
    medianBy(
      t.figures.filter((f) => f.server === server && f.direction === direction),
      (f) => f.mibPerSec,
    );
  const rows = [
    ['upload', 'raw node'],
    ['upload', 'raw + blob store'],
    ['upload', 'docrpc'],
    ['download', 'raw node'],
    ['download', 'docrpc'],
  ].map(([d = '', s = '']) => ({ label: `${d} ${s}`, f: median(s, d) }));
  const [upRaw, upBlob, upDoc, downRaw, downDoc] = rows.map((r) => r.f);
  const growth = Math.max(
    ...t.figures.filter((f) => f.server === 'docrpc' && f.direction === 'upload').map((f) => f.rssGrowthMiB),
  );
  const get = (id: string) => l.medians.find((o) => o.id === id && !o.error);
  const [doc, bare, session] = [get('docrpc'), get('bare'), get('session')];
  const total = (o: typeof doc) => (o?.cpuUsPerReq ?? 0) + (o?.dbUsPerReq ?? 0) || null;
  const rounds = ctx.rounds > 1 ? `, median of ${ctx.rounds} rounds` : '';
  return {
    area: 'files',
    settings: { fileMiB, listPath: LIST_PATH, ...ctx.load, rounds: ctx.rounds },
    tables: [
      {
        title: `(a)+(b) ${fileMiB} MiB over loopback${rounds}; CPU of the server process`,
        head: ['transfer', 'MiB/s', 'CPU ms/GiB', 'RSS peak - idle MiB'],
        rows: rows.map(({ label, f }) => [
          label,
          fixed(f?.mibPerSec),
          fixed(f?.cpuMsPerGiB),
          fixed(f?.rssGrowthMiB, 1),
        ]),
      },
      httpTable(`(c) file.list, ${PAGE} rows${rounds}; db = all PostgreSQL processes`, l.medians, true),
    ],
    ratios: [
      ratio('upload docrpc / raw node, MiB/s', over(upDoc?.mibPerSec, upRaw?.mibPerSec), { min: 0.7 }),
      ratio('upload docrpc / raw + blob store, MiB/s', over(upDoc?.mibPerSec, upBlob?.mibPerSec)),
      ratio('download docrpc / raw node, MiB/s', over(downDoc?.mibPerSec, downRaw?.mibPerSec), { min: 0.7 }),
      ratio('docrpc RSS growth during an upload, MiB (largest round)', growth, { max: 64 }),
      ratio('file.list docrpc / bare tRPC, req/s', over(doc?.rps, bare?.rps), { min: 0.8 }),
      ratio(
        'file.list docrpc / bare tRPC, by node CPU per request',
        over(bare?.cpuUsPerReq, doc?.cpuUsPerReq),
      ),
      ratio('file.list docrpc / bare tRPC, by node + db CPU per request', over(total(bare), total(doc))),
      ratio(
        'file.list bare + session query / bare, req/s (what the session cache saves)',
        over(session?.rps, bare?.rps),
      ),
    ],
    failures: httpFailures(l.medians),
    figures: { transfers: t.figures, list: l },
  };
}
