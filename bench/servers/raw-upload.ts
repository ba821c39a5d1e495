// Transfer baseline: plain node:http piping a request body to a file on disk, and streaming stored files back.
// RAW_STORE=blob stores uploads through docrpc's own blob store instead (sha256, content sniffing, rename),
// which separates the cost of that streaming code from the cost of running it inside the docrpc app.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { detectContentType } from '../../src/modules/files/content-type.js';
import { createDiskBlobStore } from '../../src/storage/disk-blob-store.js';
import { serve } from './serve.js';

const dir = process.env.RAW_DIR;
if (!dir) throw new Error('RAW_DIR is required (where uploads are stored)');
const storeDir: string = dir;
const blobs = process.env.RAW_STORE === 'blob' ? createDiskBlobStore(join(storeDir, 'blobs')) : undefined;
const RAW_PATH = /^\/raw\/([0-9a-f-]{36})$/;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (blobs) {
    // What docrpc's stageUpload + commitUpload do with the bytes, minus auth, quota and the database.
    const blob = await blobs.put(req, {
      maxBytes: Number.MAX_SAFE_INTEGER,
      inspectHead: async (head) => {
        await detectContentType(head, req.headers['content-type'], 'upload.txt');
      },
    });
    await blob.commit();
    sendJson(res, 201, { file: { id: blob.sha256, size: blob.size } });
    return;
  }
  const id = randomUUID();
  const file = join(storeDir, id);
  await pipeline(req, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
  sendJson(res, 201, { file: { id, size: statSync(file).size } });
}

async function serveFile(res: ServerResponse, id: string): Promise<void> {
  const file = join(storeDir, id);
  const size = statSync(file, { throwIfNoEntry: false })?.size;
  if (size === undefined) return sendJson(res, 404, { error: 'no such file' });
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
  await pipeline(createReadStream(file), res);
}

const server = createServer((req, res) => {
  const pathname = (req.url ?? '/').split('?')[0] ?? '/';
  const raw = RAW_PATH.exec(pathname);
  const work =
    pathname === '/health'
      ? Promise.resolve(sendJson(res, 200, { ok: true }))
      : pathname === '/upload' && req.method === 'POST'
        ? upload(req, res)
        : raw?.[1] && req.method === 'GET'
          ? serveFile(res, raw[1])
          : Promise.resolve(sendJson(res, 404, { error: 'not found' }));
  work.catch((err: unknown) => {
    console.error(err);
    if (!res.headersSent) sendJson(res, 500, { error: String(err) });
    else res.destroy();
  });
});

serve(server, `raw-upload${blobs ? ' (docrpc blob store)' : ''}`);
