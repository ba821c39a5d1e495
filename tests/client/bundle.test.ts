// The client as a browser app bundles it: esbuild from client/src with every dependency inlined. Nothing of the
// server (its files, postgres, argon2, pg-boss, drizzle) and no Node built-in may end up inside.
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

describe('@docrpc/client in a browser bundle', () => {
  it('bundles without server code or Node built-ins, and stays small', async () => {
    const result = await build({
      entryPoints: [path.join(root, 'client/src/index.ts')],
      bundle: true,
      platform: 'browser', // a `node:` import would fail the build here
      format: 'esm',
      target: 'es2022',
      minify: true,
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    const ours = inputs.filter((input) => !input.includes('node_modules/'));
    expect(ours.length).toBeGreaterThan(3);
    for (const input of ours) expect(input).toMatch(/^client\/src\//);
    const packages = new Set(
      inputs.flatMap((input) => /node_modules\/((@[^/]+\/)?[^/]+)\//.exec(input)?.[1] ?? []),
    );
    expect([...packages].sort()).toEqual(['@trpc/client', '@trpc/server', 'superjson']);

    const code = result.outputFiles[0]?.text ?? '';
    for (const forbidden of [/\bnode:/, /postgres/, /argon2/, /pg-boss/, /drizzle/])
      expect(code).not.toMatch(forbidden);
    const gzipped = gzipSync(code).length;
    console.info(`client browser bundle: ${code.length} bytes minified, ${gzipped} gzipped`);
    expect(gzipped).toBeLessThan(30 * 1024);
  });
});
