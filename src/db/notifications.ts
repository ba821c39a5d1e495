// One LISTEN connection per process for every NOTIFY channel, and a way to know it is keeping up.
//
// A notification sent while the connection is down is lost for good, and a half-open connection can look
// fine for minutes. So each handler hears `onResync` after every (re)connect (re-read what you keep), and
// `isCurrent()` says whether everything committed more than `maxLagMs` ago has certainly arrived: the hub
// sends itself a heartbeat NOTIFY every `heartbeatMs`, and PostgreSQL hands a session its notifications in
// commit order, so receiving a heartbeat proves nothing committed before it was sent is still on the way.
// Caches that must not outlive a revocation (the session cache) serve from memory only while current.
// A connection whose heartbeats stop coming back for `recycleAfterMs` is dropped and replaced, rather than
// waiting the minutes TCP keepalive takes to notice.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import type { Logger } from '../logger.js';

export interface ChannelHandler {
  onMessage(payload: string): void;
  /** Notifications may have been missed (or this is the first LISTEN): forget or re-read derived state. */
  onResync(): void;
}

export interface NotificationHub {
  /** Starts delivering `channel` to `handler` once LISTEN is in place; returns the way to stop. */
  listen(channel: string, handler: ChannelHandler): Promise<() => void>;
  /** True while every notification committed more than `maxLagMs` ago is known to have been delivered. */
  isCurrent(): boolean;
  close(): Promise<void>;
}

export interface HubTiming {
  heartbeatMs: number;
  maxLagMs: number;
  recycleAfterMs: number;
}

const DEFAULT_HUB_TIMING: HubTiming = { heartbeatMs: 1_000, maxLagMs: 3_000, recycleAfterMs: 10_000 };
const MAX_RECONNECT_DELAY_MS = 5_000;

const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

// `onnotify` is the option postgres-js's own sql.listen() is built on, parsed but left out of its types.
// sql.listen() itself cannot be used: it hides when its connection closes, and gives up on a channel for
// good if re-listening fails.
type ListenOptions = postgres.Options<Record<string, never>> & {
  onnotify: (channel: string, payload: string) => void;
};

export async function startNotificationHub(
  url: string,
  logger: Logger,
  timing: HubTiming = DEFAULT_HUB_TIMING,
): Promise<NotificationHub> {
  // Per process, so no process hears the others' heartbeats.
  const heartbeatChannel = `docrpc_heartbeat_${randomBytes(8).toString('hex')}`;
  const handlers = new Map<string, Set<ChannelHandler>>();
  const heartbeatSentAt = new Map<number, number>();
  let heartbeatSeq = 0;
  let heartbeatInFlight = false;
  /** performance.now() at which the newest heartbeat that came back was sent. */
  let confirmedUpTo = Number.NEGATIVE_INFINITY;
  /** When the current connection started listening: the watchdog's clock until a heartbeat returns. */
  let listeningSince = Number.NEGATIVE_INFINITY;
  /** Channels with a LISTEN in place on the current connection. */
  const listened = new Set<string>();
  let connected = false;
  let closed = false;
  let connecting: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;

  const safely = (what: string, run: () => void) => {
    try {
      run();
    } catch (error) {
      logger.error({ err: error }, `notification handler failed in ${what}`);
    }
  };

  const onNotify = (channel: string, payload: string) => {
    if (channel === heartbeatChannel) {
      const seq = Number(payload);
      const sentAt = heartbeatSentAt.get(seq);
      if (sentAt === undefined) return;
      confirmedUpTo = Math.max(confirmedUpTo, sentAt);
      for (const older of heartbeatSentAt.keys()) if (older <= seq) heartbeatSentAt.delete(older);
      return;
    }
    for (const handler of handlers.get(channel) ?? []) safely('onMessage', () => handler.onMessage(payload));
  };

  const lostConnection = () => {
    connected = false;
    listened.clear();
    confirmedUpTo = Number.NEGATIVE_INFINITY;
    heartbeatSentAt.clear();
    heartbeatInFlight = false;
  };

  const makeClient = (): postgres.Sql => {
    const options: ListenOptions = {
      max: 1,
      // The connection must stay open for as long as the process listens, whatever the URL or PG* say.
      idle_timeout: 0,
      max_lifetime: null,
      fetch_types: false,
      onnotice: () => {},
      connection: { application_name: 'docrpc-listen' },
      onnotify: onNotify,
      onclose: () => {
        // A replaced client's close is old news.
        if (closed || client !== made) return;
        lostConnection();
        logger.warn('LISTEN connection closed; reconnecting');
        void connect();
      },
    };
    const made = postgres(url, options);
    return made;
  };
  let client = makeClient();

  const listenOn = async (sql: postgres.Sql, channel: string) => {
    await sql.unsafe(`listen ${quoteIdentifier(channel)}`);
    if (sql === client) listened.add(channel);
  };

  /** LISTENs on every channel wanted, including any added while this ran. */
  const listenAll = async (sql: postgres.Sql) => {
    for (;;) {
      const missing = [heartbeatChannel, ...handlers.keys()].filter((channel) => !listened.has(channel));
      if (missing.length === 0) return;
      for (const channel of missing) await listenOn(sql, channel);
    }
  };

  function connect(): Promise<void> {
    connecting ??= (async () => {
      for (let attempt = 0; !closed; attempt++) {
        const sql = client;
        try {
          await listenAll(sql);
          if (sql !== client) continue;
          // Resync while not yet current, so nothing is filled from memory in between.
          for (const set of handlers.values())
            for (const handler of set) safely('onResync', handler.onResync);
          connected = true;
          listeningSince = performance.now();
          void sendHeartbeat();
          if (attempt > 0) logger.info('LISTEN connection restored');
          return;
        } catch (error) {
          if (attempt === 0) logger.warn({ err: error }, 'LISTEN failed; retrying');
          await new Promise<void>((resolve) => {
            retryTimer = setTimeout(resolve, Math.min(100 * 2 ** attempt, MAX_RECONNECT_DELAY_MS));
            retryTimer.unref();
          });
        }
      }
    })().finally(() => {
      connecting = undefined;
      // Belt and braces: a close that landed after the LISTENs but before this point goes round again.
      if (!connected && !closed) void connect();
    });
    return connecting;
  }

  const sendHeartbeat = async () => {
    // One at a time: on a stalled connection they would only queue up behind each other.
    if (!connected || heartbeatInFlight) return;
    heartbeatInFlight = true;
    const sql = client;
    const seq = ++heartbeatSeq;
    heartbeatSentAt.set(seq, performance.now());
    try {
      await sql`select pg_notify(${heartbeatChannel}, ${String(seq)})`;
    } catch {
      // The close handler reconnects; until then isCurrent() is false.
    } finally {
      if (sql === client) heartbeatInFlight = false;
    }
  };

  /** A connection that stopped answering without closing: replace it instead of waiting on TCP. */
  const recycleIfStalled = () => {
    if (!connected) return;
    const lastSign = Math.max(confirmedUpTo, listeningSince);
    if (performance.now() - lastSign <= timing.recycleAfterMs) return;
    logger.warn(
      { silentMs: Math.round(performance.now() - lastSign) },
      'LISTEN connection stalled; replacing it',
    );
    const stalled = client;
    client = makeClient();
    lostConnection();
    void stalled.end({ timeout: 0 }).catch(() => {});
    void connect();
  };

  await connect();
  const timer = setInterval(() => {
    recycleIfStalled();
    void sendHeartbeat();
  }, timing.heartbeatMs);
  timer.unref();

  return {
    async listen(channel, handler) {
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
      }
      set.add(handler);
      if (connected && !listened.has(channel)) {
        try {
          await listenOn(client, channel);
        } catch (error) {
          // Lost the connection meanwhile: the reconnect LISTENs on every channel in `handlers`.
          if (connected) throw error;
        }
      }
      // While (re)connecting, connect() LISTENs on it before it resyncs every handler, this one included.
      if (connected) handler.onResync();
      return () => {
        set.delete(handler);
      };
    },
    isCurrent: () => connected && performance.now() - confirmedUpTo <= timing.maxLagMs,
    async close() {
      closed = true;
      clearInterval(timer);
      clearTimeout(retryTimer);
      connected = false;
      await client.end({ timeout: 1 });
    },
  };
}
