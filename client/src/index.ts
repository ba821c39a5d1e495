// The typed docrpc client. Only types come from the server (`import type`), so no server code is bundled.
import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  httpLink,
  isNonJsonSerializable,
  splitLink,
  type TRPCLink,
  type TRPCWebSocketClient,
  wsLink,
} from '@trpc/client';
import superjson from 'superjson';
import type { z } from 'zod';
import type { AppRouter } from '../../src/app-router.js';
import type { ZUploadMeta } from '../../src/modules/files/schemas.js';

export type { AppRouter, RouterInputs, RouterOutputs } from '../../src/app-router.js';
export type { AppErrorData } from '../../src/trpc/errors.js';

export interface DocrpcClientOptions {
  /** The server's base URL, e.g. `http://localhost:3000`. */
  url: string;
  /** From createDocrpcWebSocket: subscriptions (and, with `allOverWebSocket`, every call) use it. */
  webSocket?: TRPCWebSocketClient;
  allOverWebSocket?: boolean;
  /** Extra headers per HTTP request, e.g. `() => ({ authorization: \`Bearer ${token}\` })`. */
  headers?: () => Record<string, string | undefined>;
  /** Most calls sent in one HTTP batch: at most the server's MAX_BATCH_SIZE (default 50), which refuses larger ones. */
  maxBatchSize?: number;
}

/**
 * One WebSocket per app, opened on first use and closed after 30 s without calls; close it on teardown.
 * `connectionParams` is read at each (re)connect: return the current access token as `{ token }`.
 */
export function createDocrpcWebSocket(
  url: string,
  connectionParams?: () => Record<string, string> | Promise<Record<string, string>>,
): TRPCWebSocketClient {
  return createWSClient({
    url: `${url.replace(/\/$/, '').replace(/^http/, 'ws')}/trpc`,
    lazy: { enabled: true, closeMs: 30_000 },
    ...(connectionParams ? { connectionParams } : {}),
  });
}

/** What `file.upload` carries alongside its byte stream (in `mutate(body, { context: { upload } })`). */
export type UploadContext = z.input<typeof ZUploadMeta>;

export function createDocrpcClient(options: DocrpcClientOptions) {
  const url = `${options.url.replace(/\/$/, '')}/trpc`;
  const batched = httpBatchLink<AppRouter>({
    url,
    transformer: superjson,
    maxItems: options.maxBatchSize ?? 50,
    ...(options.headers ? { headers: options.headers } : {}),
  });
  // Binary inputs (file.upload) go one per request, streamed, with their metadata in a header.
  const binary = httpLink<AppRouter>({
    url,
    transformer: superjson,
    headers: ({ op }) => {
      const upload = op.context.upload as UploadContext | undefined;
      return {
        ...options.headers?.(),
        ...(upload ? { 'x-docrpc-upload': toBase64Url(JSON.stringify(upload)) } : {}),
      };
    },
  });
  const http = splitLink<AppRouter>({
    condition: (op) => isNonJsonSerializable(op.input),
    true: binary,
    false: batched,
  });
  let link: TRPCLink<AppRouter> = http;
  if (options.webSocket) {
    const ws = wsLink<AppRouter>({ client: options.webSocket, transformer: superjson });
    link = options.allOverWebSocket
      ? ws
      : splitLink({ condition: (op) => op.type === 'subscription', true: ws, false: http });
  }
  return createTRPCClient<AppRouter>({ links: [link] });
}

export type DocrpcClient = ReturnType<typeof createDocrpcClient>;

/** Works in browsers and Node alike (no Buffer). */
function toBase64Url(text: string): string {
  let binaryText = '';
  for (const byte of new TextEncoder().encode(text)) binaryText += String.fromCharCode(byte);
  return btoa(binaryText).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
