// One log line per call made over WebSocket (HTTP calls get theirs from the HTTP layer, per request).
import { middleware } from '../init.js';

export const wsCallLog = middleware(async ({ ctx, path, type, next }) => {
  if (ctx.transport !== 'ws') return next();
  const started = performance.now();
  const result = await next();
  const ms = Math.round((performance.now() - started) * 100) / 100;
  ctx.logger.info({ transport: 'ws', procedure: path, type, ok: result.ok, ms }, 'ws call');
  return result;
});
