// Requests no well-behaved client sends: bodies that lie about their length, connections dropped mid-body.
import { once } from 'node:events';
import net from 'node:net';

export interface RawRequest {
  method?: string;
  path: string;
  headers: Record<string, string>;
  /** What is actually sent of the body. */
  body: Buffer | string;
  /** The Content-Length announced; more than `body` makes the request one the client never finishes. */
  declaredLength: number;
}

/** Opens a connection and writes the request head and (part of) the body; the caller decides its end. */
export async function openRawRequest(baseUrl: string, request: RawRequest): Promise<net.Socket> {
  const { hostname, port } = new URL(baseUrl);
  const socket = net.connect(Number(port), hostname);
  // The reset we cause ourselves, or the server closing on us, is what these tests are about.
  socket.on('error', () => {});
  await once(socket, 'connect');
  const head = [
    `${request.method ?? 'POST'} ${request.path} HTTP/1.1`,
    `Host: ${hostname}:${port}`,
    `Content-Length: ${request.declaredLength}`,
    ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`),
    '',
    '',
  ].join('\r\n');
  socket.write(head);
  socket.write(request.body);
  return socket;
}

/** Sends part of a body, waits for `beforeCut` (e.g. until the server has staged bytes), then resets. */
export async function sendCutOff(
  baseUrl: string,
  request: RawRequest,
  beforeCut: () => Promise<void> = async () => {},
): Promise<void> {
  const socket = await openRawRequest(baseUrl, request);
  try {
    await beforeCut();
  } finally {
    socket.resetAndDestroy();
  }
  if (!socket.closed) await once(socket, 'close');
}

/** A WebSocket upgrade request as browsers send it, on any path. */
export function upgradeRequestHead(baseUrl: string, path: string): string {
  const { host } = new URL(baseUrl);
  return [
    `GET ${path} HTTP/1.1`,
    `Host: ${host}`,
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    '',
    '',
  ].join('\r\n');
}
