// Sign-up helpers for tests of authenticated procedures.
import { randomBytes } from 'node:crypto';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '../../src/app-router.js';
import type { SessionOutput } from '../../src/modules/auth/schemas.js';

export const GOOD_PASSWORD = 'correct horse battery staple';

export interface TestUser {
  username: string;
  email: string;
  password: string;
  session: SessionOutput;
}

/** An anonymous typed client for the app's own procedures, whatever router the test server carries. */
export function appClient(url: string, token?: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${url}/trpc`,
        transformer: superjson,
        ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
      }),
    ],
  });
}

export type NewUser = Omit<TestUser, 'session'>;

/** auth.register's input for a user no other test has: a random name, the same good password. */
export function newUserInput(overrides: Partial<NewUser> = {}): NewUser {
  const suffix = randomBytes(4).toString('hex');
  return {
    username: overrides.username ?? `user_${suffix}`,
    email: overrides.email ?? `user_${suffix}@example.com`,
    password: overrides.password ?? GOOD_PASSWORD,
  };
}

export async function registerUser(
  server: { url: string },
  overrides: Partial<NewUser> = {},
): Promise<TestUser> {
  const input = newUserInput(overrides);
  const session = await appClient(server.url).auth.register.mutate(input);
  return { ...input, session };
}

/** The appCode of a failed call ('no error' when it succeeded; the value itself when not a tRPC error). */
export async function appCodeOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    if (error instanceof TRPCClientError) return (error.data as { appCode?: string } | undefined)?.appCode;
    return error;
  }
}
