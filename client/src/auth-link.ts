// A link in front of the transports: it keeps the session's tokens in step with auth.* answers, and retries a
// call once after refreshing when the server answered 401 (an expired access token).
import { type Operation, TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable, type Unsubscribable } from '@trpc/server/observable';
import type { AppRouter, TokenPair } from './contract.js';
import { isUnauthorized } from './errors.js';
import type { Session } from './session.js';

/** Calls that hand out tokens rather than need them: a 401 from these is an answer, not a reason to refresh. */
const TOKEN_ISSUERS = new Set(['auth.login', 'auth.register', 'auth.refresh']);

export function authLink(session: Session): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let current: Unsubscribable | undefined;
        let stopped = false;
        // A subscription retried after a refresh carries on from the last event it delivered.
        let lastEventId: string | undefined;
        let pending: Promise<void> = Promise.resolve();

        const attempt = (retried: boolean) => {
          const seen = session.generation();
          current = next(retried ? resumed(op, lastEventId) : op).subscribe({
            next(envelope) {
              const result = envelope.result;
              if ('type' in result && result.type === 'data' && result.id) lastEventId = String(result.id);
              const update =
                'type' in result && result.type !== 'data' ? undefined : sessionChange(op.path, result.data);
              if (update === undefined) return observer.next(envelope);
              // The caller sees the answer once the session holds the new tokens (and completion after it).
              pending = session.update(update).then(
                () => observer.next(envelope),
                (error: unknown) => observer.error(TRPCClientError.from(error as Error)),
              );
            },
            error(error) {
              if (retried || !isUnauthorized(error) || TOKEN_ISSUERS.has(op.path) || !canResend(op.input)) {
                observer.error(error);
                return;
              }
              session.renew(seen).then(
                (renewed) => {
                  if (stopped) return;
                  if (renewed) attempt(true);
                  else observer.error(error);
                },
                () => observer.error(error),
              );
            },
            complete() {
              void pending.then(() => observer.complete());
            },
          });
        };
        attempt(false);
        return () => {
          stopped = true;
          current?.unsubscribe();
        };
      });
}

/** What an answer changes in the session: new tokens, `null` (signed out), or undefined (nothing). */
function sessionChange(path: string, data: unknown): TokenPair | null | undefined {
  if (path === 'auth.logout' || path === 'auth.logoutAll') return null;
  if (!TOKEN_ISSUERS.has(path) || typeof data !== 'object' || data === null) return undefined;
  const { accessToken, refreshToken, accessTokenExpiresAt, refreshTokenExpiresAt } = data as TokenPair;
  return { accessToken, refreshToken, accessTokenExpiresAt, refreshTokenExpiresAt };
}

/** A stream was consumed by the first attempt; everything else can be sent again. */
function canResend(input: unknown): boolean {
  return !(typeof ReadableStream !== 'undefined' && input instanceof ReadableStream);
}

function resumed(op: Operation, lastEventId: string | undefined): Operation {
  if (op.type !== 'subscription' || lastEventId === undefined) return op;
  const input = typeof op.input === 'object' && op.input !== null ? op.input : {};
  return { ...op, input: { ...input, lastEventId } };
}
