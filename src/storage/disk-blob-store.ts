// Content-addressed blobs on disk: DATA_DIR/blobs/<aa>/<sha256>, written via DATA_DIR/blobs/tmp and rename.
import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type BlobStore,
  BlobTooLargeError,
  type ByteRange,
  HEAD_BYTES,
  type PutOptions,
  type StagedBlob,
} from './blob-store.js';

export function createDiskBlobStore(root: string): BlobStore {
  const staging = path.join(root, 'tmp');
  const pathOf = (key: string) => {
    // Keys are sha256 hex; anything else never touches the filesystem.
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`invalid blob key ${JSON.stringify(key)}`);
    return path.join(root, key.slice(0, 2), key);
  };

  // Staged files of this process that are neither committed nor discarded yet: what close() removes.
  const staged = new Set<string>();
  let closed = false;
  const removeStaged = async (tempPath: string) => {
    await fs.rm(tempPath, { force: true });
    staged.delete(tempPath);
  };

  return {
    async put(source: Readable, options: PutOptions): Promise<StagedBlob> {
      await fs.mkdir(staging, { recursive: true });
      if (closed) throw new Error('the blob store is closed');
      const tempPath = path.join(staging, randomUUID());
      staged.add(tempPath);
      const hash = createHash('sha256');
      let size = 0;
      let head: Uint8Array[] | undefined = [];
      let headSize = 0;
      const inspect = async function* (chunks: AsyncIterable<Uint8Array>) {
        for await (const chunk of chunks) {
          size += chunk.length;
          if (size > options.maxBytes) throw new BlobTooLargeError(options.maxBytes);
          hash.update(chunk);
          if (head) {
            head.push(chunk);
            headSize += chunk.length;
            if (headSize >= HEAD_BYTES) {
              await options.inspectHead?.(Buffer.concat(head));
              for (const held of head) yield held;
              head = undefined;
            }
            continue;
          }
          yield chunk;
        }
        if (head) {
          await options.inspectHead?.(Buffer.concat(head));
          for (const held of head) yield held;
        }
      };
      // Created before any byte moves: a write stream opens its file asynchronously, and an open still in
      // flight when a refused upload's cleanup ran could create the file after its removal.
      const file = await fs.open(tempPath, 'wx', 0o600);
      try {
        await pipeline(source, inspect, file.createWriteStream());
      } catch (error) {
        source.destroy();
        await file.close().catch(() => {}); // the write stream may have closed it already
        await removeStaged(tempPath);
        throw error;
      }
      const sha256 = hash.digest('hex');
      let settled = false;
      return {
        key: sha256,
        sha256,
        size,
        async commit() {
          if (settled) return;
          const target = pathOf(sha256);
          await fs.mkdir(path.dirname(target), { recursive: true });
          const existing = await fs.stat(target).catch(() => undefined);
          if (existing) await fs.rm(tempPath, { force: true });
          else await fs.rename(tempPath, target);
          staged.delete(tempPath);
          settled = true;
        },
        async discard() {
          if (settled) return;
          settled = true;
          await removeStaged(tempPath);
        },
      };
    },

    async get(key: string, range?: ByteRange): Promise<Readable> {
      // Opened here, so a missing file is an error before any response header is written; the stream then
      // owns the descriptor and closes it however it ends.
      const handle = await fs.open(pathOf(key), 'r');
      return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
    },

    async delete(key: string): Promise<void> {
      await fs.rm(pathOf(key), { force: true });
    },

    async sweepStaged(maxAgeMs: number): Promise<number> {
      const entries = await fs.readdir(staging, { withFileTypes: true }).catch(() => []);
      const cutoff = Date.now() - maxAgeMs;
      let removed = 0;
      for (const entry of entries) {
        if (!entry.isFile()) continue;
        const file = path.join(staging, entry.name);
        const stat = await fs.stat(file).catch(() => undefined);
        // mtime moves with every write: an upload still arriving is never "old".
        if (!stat || stat.mtimeMs > cutoff || staged.has(file)) continue;
        await fs.rm(file, { force: true });
        removed += 1;
      }
      return removed;
    },

    async close(): Promise<void> {
      closed = true;
      await Promise.all([...staged].map(removeStaged));
    },
  };
}
