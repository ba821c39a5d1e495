// `tsx bench/profile.ts [server.ts]`: runs a bench server under --cpu-prof with load, then summarises the profile.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, killAllOnExit, startServer, stopServer, verifyAnswer, waitReady } from './lib/child.js';
import { summarizeFile } from './lib/cpuprofile.js';
import { envInt } from './lib/report.js';
import { detectTool, runLoad } from './load.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PATH = '/trpc/system.info';

async function main(): Promise<void> {
  killAllOnExit();
  const serverFile = process.argv[2] ?? 'bench/servers/bare-trpc.ts';
  const tmpDir = mkdtempSync(join(tmpdir(), 'docrpc-profile-'));
  const profDir = join(tmpDir, 'prof');
  const port = await freePort();
  const tool = detectTool();
  const settings = {
    connections: envInt('BENCH_CONNECTIONS', 50),
    durationSec: envInt('BENCH_DURATION', 10),
  };
  const args = ['--cpu-prof', `--cpu-prof-dir=${profDir}`];
  const interval = process.env.BENCH_PROF_INTERVAL_US;
  if (interval) args.push(`--cpu-prof-interval=${interval}`);
  args.push('--import', 'tsx', serverFile);
  console.log(`node ${args.join(' ')}  (PORT=${port})`);
  const server = startServer({
    name: serverFile,
    args,
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    port,
    logFile: join(tmpDir, 'server.log'),
    readyPath: PATH,
    readyTimeoutMs: 20_000,
  });
  try {
    await waitReady(server);
    await verifyAnswer(port, PATH);
    const result = await runLoad(
      tool,
      { url: `http://127.0.0.1:${port}${PATH}`, scratchDir: tmpDir },
      settings,
    );
    console.log(`${result.command}: ${result.requestsPerSec.toFixed(0)} req/s under the profiler`);
  } finally {
    // SIGINT makes the server exit normally, which is when node writes the .cpuprofile.
    console.log(`server exited: ${String(await stopServer(server))}`);
  }
  console.log(summarizeFile(profDir, envInt('BENCH_TOP', 25)));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
