// A loopback TCP proxy whose connections a test can cut (a dropped socket) or freeze (a half-open one:
// nothing is closed, nothing gets through).
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Destroys every open connection; new ones are still accepted. */
  cutAll(): void;
  /** Stops forwarding on every open connection without closing it, until thaw(). */
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
}

const connect = ({ client, upstream }: Pair) => {
  client.pipe(upstream);
  upstream.pipe(client);
};

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  const server = net.createServer((client) => {
    const pair = { client, upstream: net.connect(targetPort, '127.0.0.1') };
    pairs.add(pair);
    for (const socket of [pair.client, pair.upstream]) {
      socket.on('close', () => pairs.delete(pair));
      socket.on('error', () => {
        pair.client.destroy();
        pair.upstream.destroy();
      });
    }
    connect(pair);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('proxy has no port');
  const destroyAll = () => {
    for (const { client, upstream } of pairs) {
      client.destroy();
      upstream.destroy();
    }
  };
  return {
    port: address.port,
    cutAll: destroyAll,
    freeze: () => {
      // Unpiped and paused: a piped stream would be resumed by its destination's next 'drain'.
      for (const { client, upstream } of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    thaw: () => {
      for (const pair of pairs) connect(pair);
    },
    close: () =>
      new Promise<void>((resolve) => {
        destroyAll();
        server.close(() => resolve());
      }),
  };
}
