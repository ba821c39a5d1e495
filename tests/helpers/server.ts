// Starts the real docrpc server on port 0 against a fresh test database and hands back typed clients.
import { rm } from 'node:fs/promises';
import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  httpLink,
  type TRPCClient,
  type TRPCLink,
  wsLink,
} from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import superjson from 'superjson';
import { type RunningApp, startApp } from '../../src/app.js';
import type { AppRouter } from '../../src/app-router.js';
import type { Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { captureLogs, type LogCapture } from './log-capture.js';
import { loadTestConfig } from './test-config.js';

/** Any router built with our initTRPC (same context and transformer), e.g. the app router plus test procedures. */
export type DocrpcRouter = AnyTRPCRouter & { _def: { _config: AppRouter['_def']['_config'] } };

export interface TestServer<TRouter extends DocrpcRouter> {
  url: string;
  app: RunningApp;
  config: Config;
  database: TestDatabase;
  logs: LogCapture;
  /** One request per call. */
  http: TRPCClient<TRouter>;
  /** Calls made in the same tick share one HTTP request. */
  batch: TRPCClient<TRouter>;
  /** Calls over a WebSocket (opened lazily on first use). */
  ws: TRPCClient<TRouter>;
  /** Clients that present a bearer token (access token or API token): HTTP header, WS connectionParams. */
  as(token: string): { http: TRPCClient<TRouter>; ws: TRPCClient<TRouter> };
  close(): Promise<void>;
}

export async function startTestServer<TRouter extends DocrpcRouter = AppRouter>(
  options: { router?: TRouter; env?: Record<string, string> } = {},
): Promise<TestServer<TRouter>> {
  const database = await createTestDatabase();
  const config = await loadTestConfig(database.url, { PORT: '0', HOST: '127.0.0.1', ...options.env });
  const logs = captureLogs();
  const logger = createLogger(config, logs.stream);
  const app = await startApp({ config, logger, ...(options.router ? { router: options.router } : {}) });
  const trpcUrl = `${app.url}/trpc`;
  const wsClients: ReturnType<typeof createWSClient>[] = [];
  const wsClient = createWSClient({
    url: trpcUrl.replace(/^http/, 'ws'),
    lazy: { enabled: true, closeMs: 60_000 },
  });
  // Links are typed by the root config (context + transformer), which every DocrpcRouter shares.
  const client = (link: TRPCLink<AppRouter>) => createTRPCClient<TRouter>({ links: [link] });
  return {
    url: app.url,
    app,
    config,
    database,
    logs,
    http: client(httpLink<AppRouter>({ url: trpcUrl, transformer: superjson })),
    batch: client(httpBatchLink<AppRouter>({ url: trpcUrl, transformer: superjson })),
    ws: client(wsLink<AppRouter>({ client: wsClient, transformer: superjson })),
    as(token) {
      const authedWs = createWSClient({
        url: trpcUrl.replace(/^http/, 'ws'),
        lazy: { enabled: true, closeMs: 60_000 },
        connectionParams: { token },
      });
      wsClients.push(authedWs);
      return {
        http: client(
          httpLink<AppRouter>({
            url: trpcUrl,
            transformer: superjson,
            headers: { authorization: `Bearer ${token}` },
          }),
        ),
        ws: client(wsLink<AppRouter>({ client: authedWs, transformer: superjson })),
      };
    },
    async close() {
      await Promise.all(wsClients.map((c) => c.close()));
      await wsClient.close();
      await app.stop();
      await database.drop();
      await rm(config.dataDir, { recursive: true, force: true });
    },
  };
}
