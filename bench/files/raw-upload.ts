// Transfer baseline: node:http piping a request body to a file and streaming stored files back. RAW_STORE=blob
// stores like a content-addressed blob store, written here by hand: sha256 on the way, the first 64 KiB
// sniffed (file-type, then a UTF-8 check), a staging file renamed to its hash. No auth, no database.
import { isUtf8 } from 'node:buffer';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileTypeFromBuffer } from 'file-type';
import { serve } from '../lib/processes.js';

const dir = process.env.RAW_DIR ?? '';
if (!dir) throw new Error('RAW_DIR is required');
const blobStore = process.env.RAW_STORE === 'blob';
const HEAD = 64 * 1024;

async function sniff(head: Buffer): Promise<void> {
  if (await fileTypeFromBuffer(head)) throw new Error('binary content refused (the benchmark sends text)');
  // Cut at the last line break: the head may end inside a multi-byte character.
  if (!isUtf8(head.subarray(0, head.lastIndexOf(0x0a) + 1))) throw new Error('not UTF-8 text');
}

async function putBlob(req: IncomingMessage): Promise<{ id: string; size: number }> {
  const temp = join(dir, 'tmp', randomUUID());
  await mkdir(dirname(temp), { recursive: true });
  const hash = createHash('sha256');
  let size = 0;
  let head: Buffer[] | undefined = [];
  const tap = async function* (chunks: AsyncIterable<Buffer>) {
    for await (const chunk of chunks) {
      size += chunk.length;
      hash.update(chunk);
      if (head) {
        head.push(chunk);
        if (size >= HEAD) {
          await sniff(Buffer.concat(head));
          head = undefined;
        }
      }
      yield chunk;
    }
    if (head) await sniff(Buffer.concat(head));
  };
  await pipeline(req, tap, createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
  const id = hash.digest('hex');
  const target = join(dir, id.slice(0, 2), id);
  await mkdir(dirname(target), { recursive: true });
  await rename(temp, target);
  return { id, size };
}

async function putFile(req: IncomingMessage): Promise<{ id: string; size: number }> {
  const id = randomUUID();
  await pipeline(req, createWriteStream(join(dir, id), { flags: 'wx', mode: 0o600 }));
  return { id, size: statSync(join(dir, id)).size };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.url === '/health') return json(res, 200, { ok: true });
  if (req.url === '/upload' && req.method === 'POST')
    return json(res, 201, { file: await (blobStore ? putBlob(req) : putFile(req)) });
  const id = /^\/raw\/([0-9a-f-]{36})$/.exec(req.url ?? '')?.[1];
  const size = id ? statSync(join(dir, id), { throwIfNoEntry: false })?.size : undefined;
  if (!id || size === undefined) return json(res, 404, { error: 'not found' });
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
  await pipeline(createReadStream(join(dir, id)), res);
}

serve(
  createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error(err);
      if (res.headersSent) res.destroy();
      else json(res, 500, { error: String(err) });
    });
  }),
  `raw upload${blobStore ? ' + blob store' : ''}`,
);
