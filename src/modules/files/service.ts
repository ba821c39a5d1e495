// Reading and managing a user's files: list, get, rename, tags, delete, short-lived download links.
import { jwtVerify, SignJWT } from 'jose';
import { type CallerCredential, isCallerStillValid } from '../../auth/authenticate.js';
import { cursorPart, decodeCursor, encodeCursor, pageOf } from '../../db/keyset.js';
import type { AppDeps, Caller } from '../../deps.js';
import { AppError } from '../../errors.js';
import { sanitizeFileName } from './file-name.js';
import {
  dropBlobReference,
  findFile,
  listFiles as listFileRows,
  lockBlobKey,
  softDeleteFile,
  updateFile,
} from './queries.js';
import type { FileOutput, ListFilesInput } from './schemas.js';

const DOWNLOAD_AUDIENCE = 'docrpc-file-download';

export async function getFile(deps: Pick<AppDeps, 'db'>, ownerId: string, id: string): Promise<FileOutput> {
  const row = await findFile(deps.db, ownerId, id);
  // Another user's file answers exactly like a missing one.
  if (!row) throw new AppError('RESOURCE_NOT_FOUND', 'No such file');
  return row;
}

/** A cursor holds the last row's created_at as Postgres text (microseconds intact) and its id. */
const FILE_CURSOR = [cursorPart.timestamptz, cursorPart.uuid] as const;

export async function listFiles(deps: AppDeps, caller: Caller, input: ListFilesInput) {
  const after = input.cursor ? decodeCursor(input.cursor, 'file.list', FILE_CURSOR) : undefined;
  const rows = await listFileRows(deps.db, caller.id, { ...input, after });
  const page = pageOf(rows, input.limit, (last) => encodeCursor([last.cursorCreatedAt, last.id]));
  return { ...page, items: page.items.map(({ cursorCreatedAt: _, ...file }) => file) };
}

export async function renameFile(deps: AppDeps, caller: Caller, input: { id: string; name: string }) {
  const row = await updateFile(deps.db, caller.id, input.id, { name: sanitizeFileName(input.name) });
  if (!row) throw new AppError('RESOURCE_NOT_FOUND', 'No such file');
  return row;
}

export async function updateTags(deps: AppDeps, caller: Caller, input: { id: string; tags: string[] }) {
  const row = await updateFile(deps.db, caller.id, input.id, { tags: input.tags });
  if (!row) throw new AppError('RESOURCE_NOT_FOUND', 'No such file');
  return row;
}

/** Soft-deletes the row; the bytes go with the last file that references them. */
export async function deleteFile(
  deps: AppDeps,
  caller: Caller,
  input: { id: string },
): Promise<{ ok: true }> {
  await deps.db.transaction(async (tx) => {
    const key = await softDeleteFile(tx, caller.id, input.id);
    if (!key) throw new AppError('RESOURCE_NOT_FOUND', 'No such file');
    await lockBlobKey(tx, key);
    if (await dropBlobReference(tx, key)) await deps.blobs.delete(key);
  });
  return { ok: true };
}

/**
 * A link that works without the Authorization header (an <a href>, a browser download). It names the
 * credential it was issued under (the session, or the API token) so that signing out, revoking the
 * token or disabling the account ends the link too, not just the credential.
 */
export async function createDownloadUrl(deps: AppDeps, caller: Caller, input: { id: string }) {
  await getFile(deps, caller.id, input.id);
  const ttl = deps.config.files.downloadUrlTtlSeconds;
  const now = Math.floor(deps.now().getTime() / 1000);
  const issuedUnder = caller.kind === 'apiToken' ? { atid: caller.apiTokenId } : { sid: caller.sessionId };
  const token = await new SignJWT({ fid: input.id, ...issuedUnder })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(caller.id)
    .setAudience(DOWNLOAD_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + ttl)
    .sign(deps.secrets.jwtKey);
  return { url: `/files/${input.id}/content?token=${token}`, expiresAt: new Date((now + ttl) * 1000) };
}

/** The owner a download token was issued to, if it is valid for this very file and its credential stands. */
export async function verifyDownloadToken(deps: AppDeps, fileId: string, token: string): Promise<string> {
  const credential = await downloadCredential(deps, fileId, token);
  // The session (or API token) it was issued under, and the account, checked as every call checks them.
  if (!credential || !(await isCallerStillValid(deps, credential))) {
    throw new AppError('AUTH_INVALID', 'Invalid or expired download link');
  }
  return credential.id;
}

async function downloadCredential(
  deps: AppDeps,
  fileId: string,
  token: string,
): Promise<CallerCredential | undefined> {
  try {
    const { payload } = await jwtVerify(token, deps.secrets.jwtKey, {
      algorithms: ['HS256'],
      audience: DOWNLOAD_AUDIENCE,
      currentDate: deps.now(),
    });
    if (payload.fid !== fileId || typeof payload.sub !== 'string') return undefined;
    const base = { id: payload.sub, expiresAt: null };
    if (typeof payload.sid === 'string') {
      return { ...base, kind: 'session', sessionId: payload.sid, apiTokenId: null };
    }
    if (typeof payload.atid === 'string') {
      return { ...base, kind: 'apiToken', sessionId: null, apiTokenId: payload.atid };
    }
    // Links from before they named their credential (at most DOWNLOAD_URL_TTL_SECONDS old) end here.
    return undefined;
  } catch {
    return undefined;
  }
}
