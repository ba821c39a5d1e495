// Helpers for file tests: uploads as curl would send them, and what is left on disk and in the tables.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import postgres from 'postgres';

export interface UploadResult {
  status: number;
  body: {
    file?: { id: string; name: string; mime: string; size: number; sha256: string; tags: string[] };
    error?: { message: string; data: { appCode: string; httpStatus: number } };
  };
}

export async function uploadRaw(
  baseUrl: string,
  token: string,
  bytes: Buffer,
  options: { contentType?: string; name?: string; tags?: string; chunked?: boolean } = {},
): Promise<UploadResult> {
  const params = new URLSearchParams();
  if (options.name) params.set('name', options.name);
  if (options.tags) params.set('tags', options.tags);
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (options.contentType) headers['content-type'] = options.contentType;
  const body = options.chunked
    ? new ReadableStream({
        start(controller) {
          controller.enqueue(new Uint8Array(bytes));
          controller.close();
        },
      })
    : bytes;
  const response = await fetch(`${baseUrl}/files?${params}`, {
    method: 'POST',
    headers,
    body,
    ...(options.chunked ? { duplex: 'half' } : {}),
  } as RequestInit);
  return { status: response.status, body: (await response.json()) as UploadResult['body'] };
}

export async function uploadMultipart(
  baseUrl: string,
  token: string,
  bytes: Buffer,
  fileName: string,
  fields: Record<string, string> = {},
  type = 'application/octet-stream',
): Promise<UploadResult> {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(bytes)], { type }), fileName);
  for (const [key, value] of Object.entries(fields)) form.set(key, value);
  const response = await fetch(`${baseUrl}/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  return { status: response.status, body: (await response.json()) as UploadResult['body'] };
}

/** Every blob file on disk (committed and staging), relative to the blob root. */
export async function blobFiles(dataDir: string): Promise<string[]> {
  const root = path.join(dataDir, 'blobs');
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** Files in the staging folder (DATA_DIR/blobs/tmp): bytes of uploads not committed (yet). */
export async function stagedFiles(dataDir: string): Promise<string[]> {
  return (await readdir(path.join(dataDir, 'blobs', 'tmp')).catch(() => [])).sort();
}

/** Polls the staging folder until `done` holds for its listing (cleanup after a failure runs asynchronously). */
export async function waitForStaged(
  dataDir: string,
  done: (files: string[]) => boolean,
  timeoutMs = 5_000,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const files = await stagedFiles(dataDir);
    if (done(files) || Date.now() > deadline) return files;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A multipart/form-data body written by hand, so tests can break it in ways FormData never would. */
export function multipartBody(
  boundary: string,
  parts: { name: string; fileName?: string; type?: string; content: string | Buffer }[],
  options: { close?: boolean } = {},
): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.fileName ? `; filename="${part.fileName}"` : ''}`;
    const type = part.type ? `Content-Type: ${part.type}\r\n` : '';
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`));
    chunks.push(Buffer.from(part.content));
    chunks.push(Buffer.from('\r\n'));
  }
  if (options.close !== false) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

export async function countRows(url: string): Promise<{ files: number; blobs: number }> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ files: number; blobs: number }[]>`
      select (select count(*)::int from files) as files, (select count(*)::int from blobs) as blobs`;
    return row ?? { files: -1, blobs: -1 };
  } finally {
    await sql.end();
  }
}
