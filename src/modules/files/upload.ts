// Uploads in two steps that every entry point shares (typed client, multipart, raw body):
// stage (stream to private storage while hashing, measuring and sniffing) then commit (quota re-check,
// blob reference and row in one transaction). A refusal at any point leaves no row and no bytes.
import type { Readable } from 'node:stream';
import type { AppDeps, Caller } from '../../deps.js';
import { AppError } from '../../errors.js';
import { BlobTooLargeError, type StagedBlob } from '../../storage/blob-store.js';
import { detectContentType } from './content-type.js';
import { sanitizeFileName } from './file-name.js';
import { addBlobReference, insertFile, lockBlobKey, lockOwner, usedBytes } from './queries.js';
import type { FileOutput } from './schemas.js';

type FileDeps = Pick<AppDeps, 'db' | 'blobs' | 'config' | 'logger'>;

export interface StagedUpload {
  blob: StagedBlob;
  mime: string;
  name: string;
}

export interface UploadHints {
  name?: string | undefined;
  contentType?: string | undefined;
  /** Declared size, when known: quota and size limits are checked before anything is read. */
  size?: number | undefined;
}

export async function stageUpload(
  deps: FileDeps,
  caller: Caller,
  source: Readable,
  hints: UploadHints,
): Promise<StagedUpload> {
  // The body may fail (client gone, malformed form, too large for the transport) while we still wait for
  // the quota query or the store: an 'error' with no listener would end the process, so hold it from now.
  let sourceError: unknown;
  source.on('error', (error) => {
    sourceError ??= error;
  });
  const { maxUploadBytes, userQuotaBytes } = deps.config.files;
  const remaining = Math.max(0, userQuotaBytes - (await usedBytes(deps.db, caller.id)));
  // Closed before a byte was read (the client hung up while we waited): nothing to stage.
  if (source.destroyed) throw bodyUnreadable(sourceError);
  if (hints.size !== undefined) {
    if (hints.size > maxUploadBytes) throw tooLarge(maxUploadBytes);
    if (hints.size > remaining) throw quotaExceeded(userQuotaBytes);
  }
  const name = sanitizeFileName(hints.name);
  let mime: string | undefined;
  const limit = Math.min(maxUploadBytes, remaining);
  try {
    const blob = await deps.blobs.put(source, {
      maxBytes: limit,
      inspectHead: async (head) => {
        mime = (await detectContentType(head, hints.contentType, name)).mime;
      },
    });
    if (mime === undefined) throw new Error('content type was not inspected');
    return { blob, mime, name };
  } catch (error) {
    if (error instanceof BlobTooLargeError)
      throw limit < maxUploadBytes ? quotaExceeded(userQuotaBytes) : tooLarge(maxUploadBytes);
    // The body itself failed: the client's doing, not an internal error (a disk failure is not the source's).
    if (sourceError !== undefined && !(error instanceof AppError)) throw bodyUnreadable(sourceError);
    throw error;
  }
}

export async function commitUpload(
  deps: FileDeps,
  caller: Caller,
  staged: StagedUpload,
  meta: { name?: string | undefined; tags: string[] },
): Promise<FileOutput> {
  const { blob } = staged;
  try {
    return await deps.db.transaction(async (tx) => {
      await lockOwner(tx, caller.id);
      // Concurrent uploads by the same user were staged in parallel; only now is their sum known.
      if ((await usedBytes(tx, caller.id)) + blob.size > deps.config.files.userQuotaBytes) {
        throw quotaExceeded(deps.config.files.userQuotaBytes);
      }
      await lockBlobKey(tx, blob.key);
      await blob.commit();
      await addBlobReference(tx, blob.key, blob.size);
      return insertFile(tx, {
        ownerId: caller.id,
        name: meta.name !== undefined ? sanitizeFileName(meta.name) : staged.name,
        mime: staged.mime,
        size: blob.size,
        sha256: blob.sha256,
        tags: meta.tags,
      });
    });
  } finally {
    await blob.discard();
  }
}

export async function uploadFile(
  deps: FileDeps,
  caller: Caller,
  source: Readable,
  meta: UploadHints & { tags: string[] },
): Promise<FileOutput> {
  const staged = await stageUpload(deps, caller, source, meta);
  return commitUpload(deps, caller, staged, { tags: meta.tags });
}

/** The body was cut short, malformed, or dropped by the client; its own message stays out of the answer. */
function bodyUnreadable(cause: unknown): AppError {
  if (cause instanceof AppError) return cause;
  return new AppError('VALIDATION_ERROR', 'The upload body ended early or could not be read');
}

function tooLarge(limit: number): AppError {
  return new AppError('FILE_TOO_LARGE', `Files may be at most ${limit} bytes`);
}

function quotaExceeded(quota: number): AppError {
  return new AppError('QUOTA_EXCEEDED', `This upload would pass your storage quota of ${quota} bytes`);
}
