// The package as an app outside this repository gets it: `npm pack`, installed into an empty project that has only
// @trpc/client, superjson and typescript, typechecked with the library checks on (skipLibCheck: false).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const clientDir = path.resolve(import.meta.dirname, '../../client');
const repoRoot = path.resolve(import.meta.dirname, '../..');
/** The version this repository has installed, so npm finds it in its cache. */
const versionOf = async (name: string) =>
  (
    JSON.parse(await readFile(path.join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

let project: string;
let tarball: string;
beforeAll(async () => {
  project = await mkdtemp(path.join(tmpdir(), 'docrpc-client-consumer-'));
  // The build (esbuild + tsc + API Extractor) first: prepack would print into pack's JSON.
  await run('npm', ['run', 'build'], { cwd: clientDir });
  const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', project], {
    cwd: clientDir,
  });
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  if (!info) throw new Error('npm pack printed nothing');
  tarball = path.join(project, info.filename);
  packedFiles = info.files.map((f) => f.path).sort();
  await writeFile(
    path.join(project, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      private: true,
      type: 'module',
      dependencies: {
        '@docrpc/client': `file:${tarball}`,
        '@trpc/client': await versionOf('@trpc/client'),
        superjson: await versionOf('superjson'),
        typescript: await versionOf('typescript'),
      },
    }),
  );
  await writeFile(
    path.join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        // What tRPC's own declarations need (Disposable), as a React app's config has it.
        lib: ['ESNext', 'DOM'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: [],
      },
    }),
  );
  // From the local npm cache where it can; @trpc/server comes along as @trpc/client's peer.
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: project,
  });
}, 120_000);
afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

let packedFiles: string[] = [];

async function typecheck(source: string): Promise<{ ok: boolean; output: string }> {
  await writeFile(path.join(project, 'app.ts'), source);
  try {
    await run(path.join(project, 'node_modules/.bin/tsc'), ['-p', project, '--pretty', 'false'], {
      cwd: project,
    });
    return { ok: true, output: '' };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: stdout + stderr };
  }
}

const header = `import { createDocrpcClient, createTokenStore, isDocrpcError, type RouterOutputs } from '@docrpc/client';
const { api, uploadFile, watchTask } = createDocrpcClient({ url: 'http://localhost:3000', auth: createTokenStore() });
`;

describe('@docrpc/client installed from its tarball', () => {
  it('ships the built files only', () => {
    expect(packedFiles).toEqual([
      'README.md',
      'dist/index.d.ts',
      'dist/index.js',
      'dist/index.js.map',
      'package.json',
    ]);
  });

  it('its declarations name no server file and no package but its peers', async () => {
    const dts = await readFile(path.join(project, 'node_modules/@docrpc/client/dist/index.d.ts'), 'utf8');
    const imported = [...dts.matchAll(/from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]/g)].map(
      (m) => m[1] ?? m[2],
    );
    expect(imported.length).toBeGreaterThan(0);
    for (const specifier of imported)
      expect(specifier).toMatch(/^(@trpc\/client|@trpc\/server(\/[\w-]+)?|superjson)$/);
    expect(dts).not.toMatch(/drizzle|pg-boss|postgres|argon2|pino|AppDeps/);
  });

  it('typechecks a file that lists files and reads a field of the result', async () => {
    const result = await typecheck(`${header}
export async function firstFileName(): Promise<string | undefined> {
  const page = await api.file.list.query({ limit: 10 });
  const size: number | undefined = page.items[0]?.size;
  void size;
  return page.items[0]?.name;
}
export async function send(file: Blob): Promise<Date> {
  try {
    const stored = await uploadFile(file, { tags: ['a'], onProgress: ({ sent, total }) => void [sent, total] });
    return stored.createdAt;
  } catch (error) {
    if (isDocrpcError(error, 'FILE_TOO_LARGE')) throw new Error(error.data.appCode);
    throw error;
  }
}
export async function lastStatus(id: string): Promise<RouterOutputs['task']['get']['status'] | undefined> {
  let status: RouterOutputs['task']['get']['status'] | undefined;
  for await (const task of watchTask(id)) status = task.status;
  return status;
}
`);
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });

  it('fails typecheck on a wrong field type, an unknown procedure and a wrong input', async () => {
    const wrongType = await typecheck(`${header}
export async function broken(): Promise<number | undefined> {
  const page = await api.file.list.query({ limit: 10 });
  return page.items[0]?.name;
}
`);
    expect(wrongType.ok).toBe(false);
    expect(wrongType.output).toMatch(
      /app\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/,
    );

    const unknownProcedure = await typecheck(`${header}
export const listing = api.file.lsit.query({});
`);
    expect(unknownProcedure.output).toMatch(
      /app\.ts\(\d+,\d+\): error TS(2339|2551): Property 'lsit' does not exist/,
    );

    const wrongInput = await typecheck(`${header}
export const listing = api.file.list.query({ limit: 'ten' });
`);
    expect(wrongInput.output).toMatch(/app\.ts\(\d+,\d+\): error TS2322/);

    const wrongCode = await typecheck(`${header}
export const check = (e: unknown) => isDocrpcError(e, 'FILE_TOO_BIG');
`);
    expect(wrongCode.output).toMatch(/error TS2345: Argument of type '"FILE_TOO_BIG"'/);
  });
});
