// The REST face of a procedure, declared next to it in its router: `.meta(rest.get('/api/files', 'List files'))`.
// trpc-to-openapi reads `openapi` to build the OpenAPI document; src/http/rest-handler.ts reads it to route.
import type { OpenApiMethod } from 'trpc-to-openapi';
import type { ProcedureMeta } from './init.js';

type Path = `/api/${string}`;

interface RouteOptions {
  /** Served without credentials (register, login…): no security requirement in the document. */
  public?: true;
  /** Long work: answers 202 Accepted with `Location: /api/tasks/{id}` (the procedure returns the task). */
  startsTask?: true;
  /** Counted by a rate limit: the document lists its 429 answer with Retry-After. */
  rateLimited?: true;
  description?: string;
}

/** Routes of one area: every operation is listed under `tag` in the document. */
export function restRoutes(tag: string) {
  const route =
    (method: OpenApiMethod) =>
    (path: Path, summary: string, options: RouteOptions = {}): ProcedureMeta => ({
      openapi: {
        method,
        path,
        summary,
        tags: [tag],
        ...(options.description ? { description: options.description } : {}),
        ...(options.public ? { protect: false } : {}),
        ...(options.startsTask ? { successDescription: 'Accepted: the task that was started' } : {}),
      },
      ...(options.startsTask ? { startsTask: true } : {}),
      ...(options.rateLimited ? { rateLimited: true } : {}),
    });
  return {
    get: route('GET'),
    post: route('POST'),
    put: route('PUT'),
    patch: route('PATCH'),
    delete: route('DELETE'),
  };
}
