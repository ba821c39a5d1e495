// createDocrpcClient: the typed API object wired to the server (batched HTTP, streamed uploads, subscriptions over
// WebSocket or SSE, superjson everywhere, token refresh), plus the helpers an app wants around it.
import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  httpLink,
  httpSubscriptionLink,
  isNonJsonSerializable,
  splitLink,
  type TRPCClient,
  type TRPCLink,
  type TRPCWebSocketClient,
  wsLink,
} from '@trpc/client';
import superjson from 'superjson';
import { authLink } from './auth-link.js';
import type { AppRouter, FileOutput, TaskOutput } from './contract.js';
import { createSession } from './session.js';
import type { DocrpcAuth } from './tokens.js';
import { toBase64Url, type UploadBody, type UploadOptions, uploadWith } from './upload.js';
import { type WatchTaskOptions, watchTaskWith } from './watch-task.js';

/** The EventSource constructor httpSubscriptionLink needs: browsers have one; in Node pass `eventsource`'s. */
export type EventSourceClass = new (
  url: string,
  init?: { withCredentials?: boolean },
) => {
  readonly CLOSED: number;
  readonly CONNECTING: number;
  readonly OPEN: number;
  readyState: number;
  close(): void;
  addEventListener(type: string, listener: (event: object) => void): void;
  removeEventListener(type: string, listener: (event: object) => void): void;
};

export interface DocrpcClientOptions {
  /** The server's base URL, e.g. `https://docs.example.com` (the client adds `/trpc`). */
  url: string;
  /** Where tokens come from and go to; `createTokenStore()` is one. Without it, calls are anonymous. */
  auth?: DocrpcAuth;
  /**
   * How subscriptions travel: `websocket` (default; one socket for all of them, reconnecting with backoff and
   * resuming each from its last event id) or `sse` (one HTTP stream each, for networks that block WebSockets).
   */
  subscriptions?: 'websocket' | 'sse';
  /** Every call over the WebSocket, not only subscriptions. */
  allOverWebSocket?: boolean;
  /** For `subscriptions: 'sse'` where there is no global EventSource (in Node, the `eventsource` package's). */
  EventSource?: EventSourceClass;
  /** Delay before WebSocket reconnect attempt n (0-based); default: jittered exponential, 0.25 s up to 30 s. */
  reconnectDelayMs?: (attempt: number) => number;
  /** Extra headers on every HTTP request (tracing ids…); `authorization` comes from `auth`. */
  headers?: () => Record<string, string | undefined>;
  /** Most calls in one HTTP batch: at most the server's MAX_BATCH_SIZE (default 50), which refuses larger ones. */
  maxBatchSize?: number;
}

export interface DocrpcClient {
  /** Every procedure, typed: `api.file.list.query({ limit: 20 })`. Hand it to `createTRPCOptionsProxy` in React. */
  api: TRPCClient<AppRouter>;
  /** Uploads a File, Blob, bytes or stream to `file.upload`, reporting bytes sent. */
  uploadFile(body: UploadBody, options?: UploadOptions): Promise<FileOutput>;
  /** A task's state now and at every change until it ends. */
  watchTask(taskId: string, options?: WatchTaskOptions): AsyncGenerator<TaskOutput, void, undefined>;
  /** The WebSocket (opened on first use), or null with `subscriptions: 'sse'`. */
  webSocket: TRPCWebSocketClient | null;
  /** Closes the WebSocket; the client should not be used afterwards. */
  close(): Promise<void>;
}

export function createDocrpcClient(options: DocrpcClientOptions): DocrpcClient {
  const url = `${options.url.replace(/\/$/, '')}/trpc`;
  const extraHeaders = () => options.headers?.() ?? {};
  // The refresh goes around the auth link (no retry of a refresh), one request on its own.
  const refresher = createTRPCClient<AppRouter>({
    links: [httpLink({ url, transformer: superjson, headers: extraHeaders })],
  });
  const session = createSession(options.auth, (refreshToken) =>
    refresher.auth.refresh.mutate({ refreshToken }),
  );
  const headers = async () => {
    const token = await session.accessToken();
    return { ...extraHeaders(), ...(token ? { authorization: `Bearer ${token}` } : {}) };
  };

  const batched = httpBatchLink<AppRouter>({
    url,
    transformer: superjson,
    maxItems: options.maxBatchSize ?? 50,
    headers,
  });
  // Binary inputs (`api.file.upload.mutate(blob, { context: { upload } })`) go one per request, streamed.
  const binary = httpLink<AppRouter>({
    url,
    transformer: superjson,
    headers: async ({ op }) => {
      const upload = op.context.upload;
      return {
        ...(await headers()),
        ...(upload ? { 'x-docrpc-upload': toBase64Url(JSON.stringify(upload)) } : {}),
      };
    },
  });
  const http = splitLink<AppRouter>({
    condition: (op) => isNonJsonSerializable(op.input),
    true: binary,
    false: batched,
  });

  let webSocket: TRPCWebSocketClient | null = null;
  let transport: TRPCLink<AppRouter>;
  if (options.subscriptions === 'sse') {
    const sse = httpSubscriptionLink({
      url,
      transformer: superjson,
      // EventSource cannot send headers: the token goes as connectionParams, read at each (re)connect.
      connectionParams: async () => {
        const token = await session.accessToken();
        return token ? { token } : {};
      },
      ...(options.EventSource ? { EventSource: options.EventSource } : {}),
    });
    transport = splitLink({ condition: (op) => op.type === 'subscription', true: sse, false: http });
  } else {
    webSocket = createWSClient({
      url: url.replace(/^http/, 'ws'),
      lazy: { enabled: true, closeMs: 30_000 },
      retryDelayMs: options.reconnectDelayMs ?? reconnectDelay,
      // Read at each (re)connect, so a reconnect presents the newest access token.
      connectionParams: async () => {
        const token = await session.accessToken();
        return token ? { token } : {};
      },
    });
    const ws = wsLink<AppRouter>({ client: webSocket, transformer: superjson });
    transport = options.allOverWebSocket
      ? ws
      : splitLink({ condition: (op) => op.type === 'subscription', true: ws, false: http });
  }

  const api = createTRPCClient<AppRouter>({ links: [authLink(session), transport] });
  return {
    api,
    uploadFile: (body, uploadOptions) =>
      uploadWith({ url, session, headers: extraHeaders }, body, uploadOptions),
    watchTask: (taskId, watchOptions) =>
      watchTaskWith(
        (input, handlers) => api.task.onProgress.subscribe(input, handlers),
        taskId,
        watchOptions,
      ),
    webSocket,
    close: async () => {
      await webSocket?.close();
    },
  };
}

/** Jittered exponential backoff: a restarted server is not met by every client at the same instant. */
function reconnectDelay(attempt: number): number {
  const ceiling = Math.min(30_000, 250 * 2 ** attempt);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
