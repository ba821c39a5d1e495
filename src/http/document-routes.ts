// GET /documents/:id/text: a document's text as a download (UTF-8 plain text), for curl and browsers alike,
// read from the database in parts so a long text is never held whole for one response.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { create as contentDisposition } from 'content-disposition';
import { authorize, bearerToken } from '../auth/bearer.js';
import type { AppDeps } from '../deps.js';
import { openDocumentText } from '../modules/documents/service.js';

export const DOCUMENT_TEXT_PATH =
  /^\/documents\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/text$/;

export async function handleDocumentText(
  deps: AppDeps,
  req: IncomingMessage,
  res: ServerResponse,
  documentId: string,
): Promise<void> {
  const caller = await authorize(deps, bearerToken(req.headers.authorization), 'documents:read');
  const text = await openDocumentText(deps, caller.id, documentId);
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Disposition', contentDisposition(text.fileName));
  res.setHeader('Cache-Control', 'private, no-cache');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.writeHead(200);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  try {
    await pipeline(Readable.from(text.parts()), res);
  } catch (error) {
    // The client stopped reading: nothing went wrong here, and the reads stop with the stream.
    if ((error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    throw error;
  }
}
