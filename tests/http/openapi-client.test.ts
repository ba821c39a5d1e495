// A TypeScript client generated from the live GET /openapi.json (openapi-typescript types + openapi-fetch) runs a
// real flow against a live server: token, upload, extract (202 + Location), poll the task, summarize with the
// built-in summariser, list summaries, download the text. tests/openapi-client/flow.ts is type-checked against
// the generated types with the repo's tsc, then run with tsx. openapi-typescript needs the TypeScript 5 compiler
// API, which TypeScript 7 does not have: it runs from its own workspace, tools/openapi-codegen, with TS 5.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/app-router.js';
import { registerUser, type TestUser } from '../helpers/auth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const CLIENT_DIR = 'tests/openapi-client';
const GENERATED = path.join(CLIENT_DIR, 'generated', 'openapi.d.ts');
const OPENAPI_TYPESCRIPT = path.join(
  path.dirname(
    createRequire(path.resolve('tools/openapi-codegen/package.json')).resolve(
      'openapi-typescript/package.json',
    ),
  ),
  'bin/cli.js',
);
const TEXT = readFileSync(
  new URL('../fixtures/texts/thoreau-civil-disobedience.en.txt', import.meta.url),
  'utf8',
)
  .split('\n\n')
  .slice(0, 4)
  .join('\n\n');

let server: TestServer<AppRouter>;
let user: TestUser;
beforeAll(async () => {
  server = await startTestServer();
  user = await registerUser(server);
  await mkdir(path.dirname(GENERATED), { recursive: true });
});
afterAll(async () => {
  await server?.close();
  await rm(path.dirname(GENERATED), { recursive: true, force: true });
});

/** openapi-typescript on a document (a URL or a file) into tests/openapi-client/generated. */
async function generate(source: string): Promise<void> {
  await run(process.execPath, [OPENAPI_TYPESCRIPT, source, '--output', GENERATED]);
}

/** The repo's tsc (TypeScript 7) on flow.ts and the generated types; the compiler's report, '' when clean. */
async function typecheck(): Promise<string> {
  try {
    await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', CLIENT_DIR, '--noEmit']);
    return '';
  } catch (error) {
    return (error as { stdout?: string }).stdout || String(error);
  }
}

describe('a client generated from /openapi.json', () => {
  it('fails to type-check the flow when the document drifts from what the flow reads', async () => {
    const live = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    // document.get's `words` renamed, as if the output schema had changed under the flow.
    const drifted = JSON.stringify(live).replaceAll('"words"', '"wordCount"');
    const file = path.join(path.dirname(GENERATED), 'drifted.json');
    await writeFile(file, drifted);
    await generate(file);
    expect(await typecheck()).toMatch(/flow\.ts.*'words' does not exist/s);
  }, 60_000);

  it('type-checks against the live document and runs token → upload → extract → summarize → download', async () => {
    await generate(`${server.url}/openapi.json`);
    expect(await typecheck()).toBe('');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(CLIENT_DIR, 'flow.ts')], {
      env: {
        ...process.env,
        DOCRPC_URL: server.url,
        DOCRPC_USERNAME: user.username,
        DOCRPC_PASSWORD: user.password,
        DOCRPC_TEXT: TEXT,
      },
      timeout: 45_000,
    });
    const seen = JSON.parse(stdout) as {
      tokenType: string;
      file: { id: string; name: string; tags: string[] };
      extractStatus: number;
      extracted: string;
      documentId: string;
      documentWords: number;
      documentCreatedAt: string;
      summarizeStatus: number;
      summarized: string;
      summaries: { model: string; text: string }[];
      listedFiles: string[];
      downloaded: string;
    };
    expect(seen.tokenType).toBe('bearer');
    expect(seen.file).toMatchObject({ name: 'notes.txt', tags: ['openapi', 'client'] });
    expect([seen.extractStatus, seen.extracted]).toEqual([202, 'succeeded']);
    expect(seen.documentWords).toBeGreaterThan(300);
    expect(new Date(seen.documentCreatedAt).toISOString()).toBe(seen.documentCreatedAt);
    expect([seen.summarizeStatus, seen.summarized]).toEqual([202, 'succeeded']);
    expect(seen.summaries).toHaveLength(1);
    expect(seen.summaries[0]?.model).toBe('builtin-extractive');
    // An extractive summary: its first sentence is one of the text's.
    const firstSentence = seen.summaries[0]?.text.split(/(?<=[.;?!])\s/)[0] ?? '';
    expect(firstSentence.length).toBeGreaterThan(20);
    expect(TEXT).toContain(firstSentence.replace(/^[-•*]\s*/, ''));
    expect(seen.listedFiles).toEqual([seen.file.id]);
    expect(seen.downloaded).toContain('I heartily accept the motto');
    expect(seen.downloaded).toContain('wooden gun to the people themselves');
  }, 90_000);
});
