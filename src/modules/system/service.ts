// Facts about the running server that are safe to show anyone.
import { appInfo } from '../../app-info.js';
import type { AppDeps } from '../../deps.js';
import type { SystemInfo } from './schemas.js';

export function getSystemInfo(deps: Pick<AppDeps, 'databaseKind' | 'startedAt' | 'now'>): SystemInfo {
  const now = deps.now();
  return {
    name: appInfo.name,
    version: appInfo.version,
    uptimeSeconds: Math.max(0, (now.getTime() - deps.startedAt.getTime()) / 1000),
    startedAt: deps.startedAt,
    serverTime: now,
    database: { kind: deps.databaseKind },
  };
}
