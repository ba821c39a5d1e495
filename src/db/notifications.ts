// One LISTEN connection per process for every NOTIFY channel, and a way to know it is keeping up.
//
// A notification sent while the connection is down is lost for good, and a half-open connection can look
// fine for minutes. So each handler hears `onResync` after every (re)connect (re-read what you keep), and
// `isCurrent()` says whether everything committed more than `maxLagMs` ago has certainly arrived: the hub
// sends itself a heartbeat NOTIFY every `heartbeatMs`, and PostgreSQL hands a session its notifications in
// commit order, so receiving a heartbeat proves nothing committed before it was sent is still on the way.
// Caches that must not outlive a revocation (the session cache) serve from memory only while current.
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
}

export const DEFAULT_HUB_TIMING: HubTiming = { heartbeatMs: 1_000, maxLagMs: 3_000 };
const MAX_RECONNECT_DELAY_MS = 5_000;

const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

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
  let connected = false;
  let closed = false;
  let connecting: Promise<void> | undefined;

  const onNotify = (channel: string, payload: string) => {
    if (channel === heartbeatChannel) {
      const seq = Number(payload);
      const sentAt = heartbeatSentAt.get(seq);
      if (sentAt === undefined) return;
      confirmedUpTo = Math.max(confirmedUpTo, sentAt);
      for (const older of heartbeatSentAt.keys()) if (older <= seq) heartbeatSentAt.delete(older);
      return;
    }
    for (const handler of handlers.get(channel) ?? []) handler.onMessage(payload);
  };

  // `onnotify` is the option postgres-js's own sql.listen() is built on, parsed but left out of its types.
  // sql.listen() itself cannot be used: it hides when its connection closes, and gives up on the channel
  // for good if re-listening fails.
  const options: postgres.Options<Record<string, never>> & {
    onnotify: (channel: string, payload: string) => void;
  } = {
    max: 1,
    // The connection must stay open for as long as the process listens (idle_timeout is off by default).
    max_lifetime: null,
    fetch_types: false,
    onnotice: () => {},
    connection: { application_name: 'docrpc-listen' },
    onnotify: onNotify,
    onclose: () => {
      if (closed) return;
      connected = false;
      confirmedUpTo = Number.NEGATIVE_INFINITY;
      heartbeatSentAt.clear();
      logger.warn('LISTEN connection closed; reconnecting');
      void connect();
    },
  };
  const sql = postgres(url, options);

  const sendHeartbeat = async () => {
    // One at a time: on a stalled connection they would only queue up behind each other.
    if (!connected || heartbeatInFlight) return;
    heartbeatInFlight = true;
    const seq = ++heartbeatSeq;
    heartbeatSentAt.set(seq, performance.now());
    try {
      await sql`select pg_notify(${heartbeatChannel}, ${String(seq)})`;
    } catch {
      // The close handler reconnects; until then isCurrent() is false.
    } finally {
      heartbeatInFlight = false;
    }
  };

  const listenAll = async () => {
    for (const channel of [heartbeatChannel, ...handlers.keys()]) {
      await sql.unsafe(`listen ${quoteIdentifier(channel)}`);
    }
  };

  function connect(): Promise<void> {
    connecting ??= (async () => {
      for (let attempt = 0; !closed; attempt++) {
        try {
          await listenAll();
          connected = true;
          for (const set of handlers.values()) for (const handler of set) handler.onResync();
          void sendHeartbeat();
          if (attempt > 0) logger.info('LISTEN connection restored');
          return;
        } catch (error) {
          if (attempt === 0) logger.warn({ err: error }, 'LISTEN failed; retrying');
          await new Promise((resolve) =>
            setTimeout(resolve, Math.min(100 * 2 ** attempt, MAX_RECONNECT_DELAY_MS)),
          );
        }
      }
    })().finally(() => {
      connecting = undefined;
      // The connection closed again between the LISTENs and this point: go round once more.
      if (!connected && !closed) void connect();
    });
    return connecting;
  }

  await connect();
  const timer = setInterval(() => void sendHeartbeat(), timing.heartbeatMs);
  timer.unref();

  return {
    async listen(channel, handler) {
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        // While disconnected, connect() will LISTEN on it along with the others.
        if (connected) await sql.unsafe(`listen ${quoteIdentifier(channel)}`);
      }
      set.add(handler);
      handler.onResync();
      return () => {
        set.delete(handler);
      };
    },
    isCurrent: () => connected && performance.now() - confirmedUpTo <= timing.maxLagMs,
    async close() {
      closed = true;
      clearInterval(timer);
      await sql.end({ timeout: 1 });
    },
  };
}
