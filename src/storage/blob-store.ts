// Where file bytes live. Services see only this interface, so an S3 store can replace the disk one.
import type { Readable } from 'node:stream';

export interface PutOptions {
  /** Stop reading and fail with BlobTooLargeError once more than this many bytes have arrived. */
  maxBytes: number;
  /**
   * Called once with the first bytes (up to HEAD_BYTES, or all of a smaller upload) before the rest is
   * read; throwing refuses the upload then and there.
   */
  inspectHead?(head: Buffer): void | Promise<void>;
}

/** Bytes written to a private staging place, hashed; not visible under their key until commit. */
export interface StagedBlob {
  key: string;
  size: number;
  sha256: string;
  /** Moves the bytes under their content key; a no-op when that content is already stored. */
  commit(): Promise<void>;
  /** Throws the staged bytes away. Safe to call after commit (it then does nothing). */
  discard(): Promise<void>;
}

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

export interface BlobStore {
  put(source: Readable, options: PutOptions): Promise<StagedBlob>;
  /** Opens the bytes before resolving, so a missing blob fails here and not halfway through a response. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  delete(key: string): Promise<void>;
  /**
   * Removes staged bytes older than `maxAgeMs` that no upload will commit any more (left by a process that
   * died mid-upload). Younger ones may belong to an upload in flight in another process sharing the store.
   * Resolves with how many were removed.
   */
  sweepStaged(maxAgeMs: number): Promise<number>;
  /** At shutdown: throws away every blob this process staged and has not committed; later puts fail. */
  close(): Promise<void>;
}

export const HEAD_BYTES = 64 * 1024;

export class BlobTooLargeError extends Error {
  override name = 'BlobTooLargeError';
  constructor(readonly limit: number) {
    super(`more than ${limit} bytes`);
  }
}
