// Administration of accounts: list them, disable or enable one.

import { pageOf } from '../../db/keyset.js';
import type { AppDeps, Caller } from '../../deps.js';
import { AppError } from '../../errors.js';
import { listUsersPage, setUserDisabled } from './queries.js';

export async function listUsers(deps: AppDeps, input: { cursor?: string | undefined; limit: number }) {
  const rows = await listUsersPage(deps.db, input.cursor, input.limit);
  return pageOf(rows, input.limit, (last) => last.id);
}

export async function setDisabled(
  deps: Pick<AppDeps, 'db' | 'sessionCache' | 'logger'>,
  caller: Caller,
  input: { userId: string; disabled: boolean },
) {
  if (input.userId === caller.id && input.disabled)
    throw new AppError('CONFLICT', 'You cannot disable yourself');
  if (!(await setUserDisabled(deps.db, input.userId, input.disabled))) {
    throw new AppError('RESOURCE_NOT_FOUND', 'No such user');
  }
  deps.sessionCache.forgetUser(input.userId);
  deps.logger.info(
    { userId: input.userId, disabled: input.disabled, by: caller.id },
    'user disabled flag set',
  );
  return { ok: true as const };
}
