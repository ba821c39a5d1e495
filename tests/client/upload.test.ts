// uploadFile in Node: progress counts bytes as the connection takes them (it stalls when the network does),
// streams upload without a known size, and a refused upload is told by its app code and leaves nothing behind.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDocrpcClient, isDocrpcError, type UploadProgress } from '../../client/src/index.js';
import type { AppRouter } from '../../src/app-router.js';
import { ELF } from '../fixtures/files.js';
import { registerUser, type TestUser } from '../helpers/auth.js';
import { blobFiles, countRows } from '../helpers/files.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

let server: TestServer<AppRouter>;
let user: TestUser;
beforeAll(async () => {
  server = await startTestServer();
  user = await registerUser(server);
});
afterAll(async () => {
  await server?.close();
});

const auth = () => ({ getAccessToken: () => user.session.accessToken });
const text = (bytes: number) => Buffer.alloc(bytes, 'Quarterly report, revenue grew.\n');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('uploadFile', () => {
  it('reports bytes sent: rising to the total, and standing still while the network is stalled', async () => {
    const proxy = await startTcpProxy(server.app.port);
    const client = createDocrpcClient({ url: `http://127.0.0.1:${proxy.port}`, auth: auth() });
    // More than loopback's socket buffers can hold (here up to 32 MiB received + 4 MiB sent per socket).
    const bytes = text(80 * 1024 * 1024);
    const progress: UploadProgress[] = [];
    let frozen = false;
    try {
      const uploading = client.uploadFile(new Blob([new Uint8Array(bytes)]), {
        name: 'big.txt',
        tags: ['Big'],
        onProgress: (p) => {
          progress.push(p);
          if (!frozen && p.sent > 1024 * 1024) {
            frozen = true;
            proxy.freeze();
          }
        },
      });
      await vi.waitFor(() => expect(frozen).toBe(true));
      await sleep(400); // what the socket buffers could still take
      const stalledAt = progress.at(-1)?.sent ?? 0;
      await sleep(400);
      expect(progress.at(-1)?.sent).toBe(stalledAt);
      expect(stalledAt).toBeLessThan(bytes.length * 0.75);
      proxy.thaw();
      const file = await uploading;
      expect(file).toMatchObject({ name: 'big.txt', size: bytes.length, tags: ['big'], mime: 'text/plain' });
      const sent = progress.map((p) => p.sent);
      expect(sent).toEqual([...sent].sort((a, b) => a - b));
      expect(progress.at(-1)).toEqual({ sent: bytes.length, total: bytes.length });
      expect(progress.length).toBeGreaterThan(10);
    } finally {
      proxy.thaw();
      await client.close();
      await proxy.close();
    }
  });

  it('uploads a Node stream, size unknown up front', async () => {
    const client = createDocrpcClient({ url: server.url, auth: auth() });
    const chunk = text(64 * 1024);
    const progress: UploadProgress[] = [];
    const file = await client.uploadFile(Readable.from([chunk, chunk, chunk]), {
      name: 'streamed.txt',
      onProgress: (p) => progress.push(p),
    });
    expect(file).toMatchObject({ name: 'streamed.txt', size: chunk.length * 3 });
    expect(progress.at(-1)).toEqual({ sent: chunk.length * 3, total: null });
    await client.close();
  });

  it('a refused upload fails with its app code and leaves no row and no blob', async () => {
    const client = createDocrpcClient({ url: server.url, auth: auth() });
    const rowsBefore = await countRows(server.database.url);
    const blobsBefore = await blobFiles(server.config.dataDir);
    const error = await client
      .uploadFile(new Blob([new Uint8Array(ELF)]), { name: 'x.txt' })
      .catch((e: unknown) => e);
    expect(isDocrpcError(error, 'FILE_TYPE_INVALID')).toBe(true);
    expect(await countRows(server.database.url)).toEqual(rowsBefore);
    expect(await blobFiles(server.config.dataDir)).toEqual(blobsBefore);
    await client.close();
  });

  it('an aborted upload rejects and leaves no row and no blob', async () => {
    const client = createDocrpcClient({ url: server.url, auth: auth() });
    const rowsBefore = await countRows(server.database.url);
    const blobsBefore = await blobFiles(server.config.dataDir);
    const controller = new AbortController();
    const error = await client
      .uploadFile(new Blob([new Uint8Array(text(16 * 1024 * 1024))]), {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.sent > 1024 * 1024) controller.abort();
        },
      })
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    await vi.waitFor(async () => {
      expect(await countRows(server.database.url)).toEqual(rowsBefore);
      expect(await blobFiles(server.config.dataDir)).toEqual(blobsBefore);
    });
    await client.close();
  });
});
