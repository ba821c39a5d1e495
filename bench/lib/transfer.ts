// HTTP client side of the file benchmark: streamed upload from disk, counted download, small JSON calls.
import { createReadStream } from 'node:fs';
import { request } from 'node:http';

export interface TransferResult {
  status: number;
  /** Bytes sent (upload) or received (download). */
  bytes: number;
  ms: number;
  /** The response body for uploads and errors; downloads keep at most the first 4 KiB. */
  body: string;
}

const KEEP = 4096;

/**
 * POSTs a file from disk as the raw request body (fs stream piped into the request, never buffered whole)
 * and times it until the response has been read completely.
 */
export function uploadFile(opts: {
  port: number;
  path: string;
  file: string;
  size: number;
  headers?: Record<string, string>;
}): Promise<TransferResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let answered = false;
    const req = request(
      {
        host: '127.0.0.1',
        port: opts.port,
        path: opts.path,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'text/plain', 'content-length': String(opts.size), ...opts.headers },
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            bytes: opts.size,
            ms: performance.now() - started,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    // A server that refuses early may close while we still send; its answer is what matters then.
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    const source = createReadStream(opts.file);
    source.on('error', (err) => req.destroy(err));
    source.pipe(req);
  });
}

/** GETs a path and counts the body's bytes without keeping them. */
export function download(opts: {
  port: number;
  path: string;
  headers?: Record<string, string>;
}): Promise<TransferResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      { host: '127.0.0.1', port: opts.port, path: opts.path, agent: false, headers: opts.headers ?? {} },
      (res) => {
        let bytes = 0;
        const head: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          if (bytes < KEEP) head.push(c.subarray(0, KEEP - bytes));
          bytes += c.length;
        });
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            bytes,
            ms: performance.now() - started,
            body: Buffer.concat(head).toString(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** POSTs a JSON body (e.g. a tRPC mutation) and returns the status and parsed answer. */
export function postJson(
  port: number,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(payload)),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as unknown });
          } catch {
            reject(new Error(`POST ${path}: ${res.statusCode} non-JSON answer: ${text.slice(0, 200)}`));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Reads a nested property path from parsed JSON without trusting its shape. */
export function pick(value: unknown, ...keys: string[]): unknown {
  let cur = value;
  for (const key of keys) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}
