// Starts a benchmark server on PORT/HOST and makes it exit cleanly on SIGINT/SIGTERM (so --cpu-prof is written).
import type { Server } from 'node:http';

export function serve(server: Server, name: string): void {
  const port = Number(process.env.PORT ?? '3000');
  const host = process.env.HOST ?? '127.0.0.1';
  server.listen(port, host, () => {
    console.log(`${name} listening on http://${host}:${port} (node ${process.version})`);
  });
  const stop = (signal: NodeJS.Signals): void => {
    console.log(`${name}: ${signal}, closing`);
    // Keep-alive sockets from the load generator would hold close() open; drop them so exit is prompt.
    server.closeAllConnections();
    server.close(() => process.exit(0));
    // process.exit (not a hard kill) still flushes the CPU profile if close() stalls.
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
