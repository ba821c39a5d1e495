// Calls from a chosen loopback address: every 127.x.y.z reaches a server listening on 127.0.0.1, and the
// server sees that address as the client's IP, so one test can play many clients without any forwarded header.
import http from 'node:http';
import { createTRPCClient, httpLink } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '../../src/app-router.js';
import { GOOD_PASSWORD } from './auth.js';

let last = 0;

/** A loopback address no other call in this test file has used yet. */
export function freshIp(): string {
  last += 1;
  return `127.0.${Math.floor(last / 250) + 1}.${(last % 250) + 2}`;
}

/** A fetch whose connections leave from `ip` (what tRPC's httpLink needs of one, and no more). */
export function fetchFrom(ip: string) {
  return (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
    new Promise((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : input);
      const headers = new Headers(init?.headers);
      const request = http.request(
        url,
        {
          method: init?.method ?? 'GET',
          headers: Object.fromEntries(headers),
          localAddress: ip,
          agent: false,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(response.headers)) {
              if (typeof value === 'string') responseHeaders.set(name, value);
            }
            resolve(
              new Response(Buffer.concat(chunks), {
                status: response.statusCode ?? 500,
                headers: responseHeaders,
              }),
            );
          });
        },
      );
      request.on('error', reject);
      request.end(typeof init?.body === 'string' ? init.body : undefined);
    });
}

/** A typed client whose calls come from `ip`. */
export function clientFrom(url: string, ip: string) {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${url}/trpc`, transformer: superjson, fetch: fetchFrom(ip) })],
  });
}

/** Registers a fresh account from an address of its own (registration is rate-limited per IP too). */
export async function registerFromFreshIp(url: string) {
  const suffix = Math.random().toString(36).slice(2, 10);
  const input = { username: `user_${suffix}`, email: `user_${suffix}@example.com`, password: GOOD_PASSWORD };
  const session = await clientFrom(url, freshIp()).auth.register.mutate(input);
  return { ...input, id: session.user.id };
}
