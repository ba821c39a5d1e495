// The `system.info` payload that both baseline servers build, so they do identical application work.

export interface SystemInfo {
  name: string;
  version: string;
  uptimeSeconds: number;
  database: { kind: 'embedded' };
  serverTime: Date;
}

/** Built fresh per request (uptime and time change), like a real handler would. */
export function systemInfo(): SystemInfo {
  return {
    name: 'docrpc',
    version: '0.1.0',
    uptimeSeconds: process.uptime(),
    database: { kind: 'embedded' },
    serverTime: new Date(),
  };
}
