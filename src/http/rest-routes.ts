// The REST route table, read off the router: every query and mutation whose meta declares `openapi` (see
// trpc/rest-route.ts). A path matches literal segments before parameters, whatever the router's order:
// `/api/documents/search` is document.search, never document.get with the id "search".
import type { AnyTRPCRouter } from '@trpc/server';
import type { ProcedureMeta } from '../trpc/init.js';
import { type QueryShape, queryShapeOf } from './rest-input.js';

export interface RestRoute {
  method: string;
  /** The OpenAPI path, e.g. `/api/files/{id}`. */
  path: string;
  /** The procedure's dotted path, e.g. `file.get`. */
  procedure: string;
  type: 'query' | 'mutation';
  hasInput: boolean;
  query: QueryShape;
  startsTask: boolean;
  rateLimited: boolean;
  segments: Segment[];
}

type Segment = { literal: string } | { param: string };

interface ProcedureDef {
  type: 'query' | 'mutation' | 'subscription';
  meta?: ProcedureMeta;
  inputs: unknown[];
}

export interface RouteMatch {
  route: RestRoute;
  params: Record<string, string>;
}

export function restRouteTable(router: AnyTRPCRouter) {
  const routes: RestRoute[] = [];
  const procedures = router._def.procedures as Record<string, { _def: ProcedureDef }>;
  for (const [procedure, { _def }] of Object.entries(procedures)) {
    const openapi = _def.meta?.openapi;
    if (!openapi || openapi.enabled === false || _def.type === 'subscription') continue;
    routes.push({
      method: openapi.method,
      path: openapi.path,
      procedure,
      type: _def.type,
      hasInput: _def.inputs.length > 0,
      query: queryShapeOf(_def.inputs[0]),
      startsTask: _def.meta?.startsTask === true,
      rateLimited: _def.meta?.rateLimited === true,
      segments: segmentsOf(openapi.path).map((part) => {
        const param = /^\{(.+)\}$/.exec(part)?.[1];
        return param ? { param } : { literal: part };
      }),
    });
  }
  // Literal segments first, position by position: the most specific route is tried first.
  routes.sort((a, b) => specificity(a).localeCompare(specificity(b)));
  return {
    routes,
    /** The route for this method and path; `allowed` lists the methods another route serves it with. */
    match(method: string, pathname: string): RouteMatch | { allowed: string[] } {
      const parts = segmentsOf(pathname);
      const allowed: string[] = [];
      for (const route of routes) {
        const params = paramsOf(route, parts);
        if (!params) continue;
        if (route.method === method) return { route, params };
        allowed.push(route.method);
      }
      return { allowed };
    },
  };
}

function segmentsOf(path: string): string[] {
  return path.split('/').filter((part) => part !== '');
}

function specificity(route: RestRoute): string {
  return route.segments.map((segment) => ('literal' in segment ? '0' : '1')).join('');
}

function paramsOf(route: RestRoute, parts: string[]): Record<string, string> | undefined {
  if (parts.length !== route.segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, segment] of route.segments.entries()) {
    const part = parts[index] ?? '';
    if ('literal' in segment) {
      if (segment.literal !== part) return undefined;
    } else {
      try {
        params[segment.param] = decodeURIComponent(part);
      } catch {
        return undefined; // a malformed escape names no resource
      }
    }
  }
  return params;
}
