// The routes that move file bytes over plain HTTP: POST /files (multipart or raw body, for curl and
// Python) and GET /files/:id/content (Range, ETag, signed links), sharing the files module's services.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { create as contentDisposition } from 'content-disposition';
import { combineRanges, parse as parseRange } from 'range-parser';
import { authorize, bearerToken } from '../auth/bearer.js';
import type { AppDeps, Caller } from '../deps.js';
import { AppError } from '../errors.js';
import { getFile, verifyDownloadToken } from '../modules/files/service.js';
import { commitUpload, type StagedUpload, stageUpload, uploadFile } from '../modules/files/upload.js';
import { uploadMetaFromFields } from '../modules/files/upload-meta.js';
import type { ByteRange } from '../storage/blob-store.js';
import { errorBody } from './error-body.js';
import { sendJson } from './json-response.js';
import { requestMetaOf } from './request-meta.js';

export const FILE_CONTENT_PATH =
  /^\/files\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/content$/;

export async function handleUpload(
  deps: AppDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const caller = await authorize(deps, bearerToken(req.headers.authorization), 'files:write');
  const contentType = req.headers['content-type'] ?? '';
  const file = contentType.startsWith('multipart/form-data')
    ? await uploadMultipart(deps, caller, req)
    : await uploadRawBody(deps, caller, req, url);
  sendJson(res, 201, { file });
}

function uploadRawBody(deps: AppDeps, caller: Caller, req: IncomingMessage, url: URL) {
  const headerName = req.headers['x-file-name'];
  const length = req.headers['content-length'];
  const meta = uploadMetaFromFields({
    name:
      url.searchParams.get('name') ?? (typeof headerName === 'string' ? decodeFileName(headerName) : null),
    tags: url.searchParams.get('tags'),
    contentType: req.headers['content-type'] ?? null,
    ...(length !== undefined && /^\d+$/.test(length) ? { size: Number(length) } : {}),
  });
  return uploadFile(deps, caller, req, meta);
}

/** `x-file-name` is percent-encoded so that any name fits in a header. */
function decodeFileName(header: string): string {
  try {
    return decodeURIComponent(header);
  } catch {
    throw new AppError('VALIDATION_ERROR', 'x-file-name is not valid percent-encoding', {
      fieldErrors: { 'x-file-name': ['is not valid percent-encoding'] },
    });
  }
}

type UploadedFile = Awaited<ReturnType<typeof commitUpload>>;

/**
 * `curl -F file=@report.pdf -F tags=q3`: fields may come before or after the file; all are applied at commit.
 * Until the form has been read whole, any failure (malformed form, a second file, the client gone, shutdown)
 * stops the parser and throws away what was staged; after that, commitUpload owns the staged bytes.
 */
function uploadMultipart(deps: AppDeps, caller: Caller, req: IncomingMessage) {
  return new Promise<UploadedFile>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fields: 10, fieldSize: 16 * 1024 } });
    } catch (error) {
      // No boundary, or a content type busboy cannot read.
      reject(malformedForm(error));
      return;
    }
    const fields: Record<string, string> = {};
    const fileParts: Readable[] = [];
    let staging: Promise<StagedUpload> | undefined;
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      for (const part of fileParts) part.destroy();
      staging?.then((staged) => staged.blob.discard()).catch(() => {});
      reject(error);
    };
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (field, stream, info) => {
      // busboy fails a part's stream when the form breaks off inside it: handled now, whatever we do with it.
      stream.on('error', () => {});
      fileParts.push(stream);
      if (settled || field !== 'file' || staging) {
        stream.resume();
        return;
      }
      staging = stageUpload(deps, caller, stream, { name: info.filename, contentType: info.mimeType });
      staging.catch(fail);
    });
    parser.on('filesLimit', () => fail(new AppError('VALIDATION_ERROR', 'Send one file per request')));
    parser.on('error', (error) => fail(malformedForm(error)));
    parser.on('close', () => {
      if (settled) return;
      if (!staging) {
        fail(
          new AppError('VALIDATION_ERROR', 'No "file" part in the form', {
            fieldErrors: { file: ['is required'] },
          }),
        );
        return;
      }
      settled = true;
      staging.then((staged) => commitMultipart(deps, caller, staged, fields)).then(resolve, reject);
    });
    req.on('error', () => fail(uploadAborted()));
    req.on('close', () => {
      if (!req.complete) fail(uploadAborted());
    });
    req.pipe(parser);
  });
}

async function commitMultipart(
  deps: AppDeps,
  caller: Caller,
  staged: StagedUpload,
  fields: Record<string, string>,
): Promise<UploadedFile> {
  let meta: ReturnType<typeof uploadMetaFromFields>;
  try {
    meta = uploadMetaFromFields({ name: fields.name ?? null, tags: fields.tags ?? null });
  } catch (error) {
    await staged.blob.discard();
    throw error;
  }
  return commitUpload(deps, caller, staged, { ...(fields.name ? { name: meta.name } : {}), tags: meta.tags });
}

// busboy's own words for what is wrong with a form; anything else it says is not repeated to the caller.
const FORM_FAULTS = [
  'Boundary not found',
  'Malformed part header',
  'Unexpected end of form',
  'Unexpected end of file',
];

function malformedForm(cause: unknown): AppError {
  const fault = FORM_FAULTS.find((text) => cause instanceof Error && cause.message.endsWith(text));
  return new AppError(
    'VALIDATION_ERROR',
    fault ? `Malformed multipart form: ${fault}` : 'Malformed multipart form',
  );
}

function uploadAborted(): AppError {
  return new AppError('VALIDATION_ERROR', 'Upload aborted by the client');
}

export async function handleContent(
  deps: AppDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  fileId: string,
): Promise<void> {
  const token = url.searchParams.get('token');
  const ownerId = token
    ? await verifyDownloadToken(deps, fileId, token)
    : (await authorize(deps, bearerToken(req.headers.authorization), 'files:read')).id;
  const file = await getFile(deps, ownerId, fileId);
  const etag = `"${file.sha256}"`;
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', 'private, no-cache');
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // Uploaded HTML must never run as our origin's page.
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  res.setHeader('Content-Disposition', contentDisposition(file.name));
  res.setHeader('Content-Type', file.mime.startsWith('text/') ? `${file.mime}; charset=utf-8` : file.mime);

  if (matchesEtag(req.headers['if-none-match'], etag)) {
    res.writeHead(304).end();
    return;
  }
  let range: ByteRange | undefined;
  const ifRange = req.headers['if-range'];
  if (req.headers.range && (ifRange === undefined || ifRange === etag)) {
    const parsed = parseRange(file.size, req.headers.range);
    const ranges = combineRanges(parsed.ranges);
    // Only byte ranges that parse; anything malformed is ignored (RFC 9110 lets us send it all).
    const usable = parsed.type === 'bytes' && (parsed.code & 1) === 0;
    if (usable && ranges.length === 0 && (parsed.code & 2) !== 0) {
      res.setHeader('Content-Range', `bytes */${file.size}`);
      res.removeHeader('Content-Disposition');
      const outside = new AppError('VALIDATION_ERROR', 'Requested range not satisfiable', {
        fieldErrors: { range: ['is outside the file'] },
      });
      sendJson(res, 416, errorBody(outside, requestMetaOf(req).requestId, 416));
      return;
    }

    // Several disjoint ranges would need multipart/byteranges: the whole file answers them too.
    if (usable && ranges.length === 1 && ranges[0]) range = { start: ranges[0].start, end: ranges[0].end };
  }
  const length = range ? range.end - range.start + 1 : file.size;
  const body =
    req.method === 'HEAD' || length === 0 ? undefined : await openBlob(deps, res, file.sha256, range);
  res.setHeader('Content-Length', length);
  if (range) res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`);
  res.writeHead(range ? 206 : 200);
  if (!body) {
    res.end();
    return;
  }
  try {
    await pipeline(body, res);
  } catch (error) {
    // The client stopped reading (closed the tab, curl ^C): nothing went wrong here, pipeline closed the file.
    if ((error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    throw error;
  }
}

/** Opened before the status line goes out: a blob missing on disk is then an error answer, not a cut-off body. */
async function openBlob(deps: AppDeps, res: ServerResponse, key: string, range: ByteRange | undefined) {
  try {
    return await deps.blobs.get(key, range);
  } catch (error) {
    // The error answer must not pass for the file (its name, its validator).
    for (const header of ['content-disposition', 'etag', 'accept-ranges']) res.removeHeader(header);
    throw error;
  }
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const value = candidate.trim();
    return value === '*' || value === etag || value === `W/${etag}`;
  });
}
