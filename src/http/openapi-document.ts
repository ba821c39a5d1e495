// GET /openapi.json: the OpenAPI 3.1 document of everything a non-TypeScript caller can use. trpc-to-openapi
// writes the procedures' operations from their meta and zod schemas; the routes that have no procedure (bytes,
// the token endpoint, task events) are path items in openapi-byte-routes.ts, their schemas zod too. What the
// generator cannot know is set here, from the same route table the REST handler serves: our one error body,
// 202 + Location for procedures that start a task, 429 + Retry-After where a rate limit counts.
import type { AnyTRPCRouter } from '@trpc/server';
import { generateOpenApiDocument, type OpenAPIObject } from 'trpc-to-openapi';
import { appInfo } from '../app-info.js';
import { OAUTH_TOKEN_PATH } from './oauth-token.js';
import { byteRoutePaths } from './openapi-byte-routes.js';
import { restRouteTable } from './rest-routes.js';

export const OPENAPI_PATH = '/openapi.json';

const ERROR_BODY_REF = { $ref: '#/components/schemas/ErrorBody' };

type Operation = NonNullable<OpenAPIObject['paths']>[string]['get'];
type Responses = NonNullable<Operation>['responses'];

export function buildOpenApiDocument(router: AnyTRPCRouter): OpenAPIObject {
  const document = generateOpenApiDocument(router, {
    title: 'docrpc',
    version: appInfo.version,
    description: DESCRIPTION,
    // Relative: the document describes the server that serves it, wherever that is.
    baseUrl: '/',
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description:
          'An access token (from POST /api/auth/token or /api/auth/login) or an API token (drpc_…, ' +
          'from POST /api/tokens; it may call what its scopes allow).',
      },
      oauth2: {
        type: 'oauth2',
        description: 'The OAuth2 password flow: your username (or email) and password for a bearer token.',
        flows: { password: { tokenUrl: OAUTH_TOKEN_PATH, refreshUrl: OAUTH_TOKEN_PATH, scopes: {} } },
      },
    },
    paths: byteRoutePaths,
  });
  const routes = restRouteTable(router).routes;
  for (const pathItem of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(pathItem) as Operation[]) {
      if (!operation) continue;
      if (operation.responses) useOurErrorBody(operation.responses);
      // Said outright, not left out: a public operation needs no credentials.
      operation.security ??= [];
    }
  }
  for (const route of routes) {
    const operation = document.paths?.[route.path]?.[route.method.toLowerCase() as 'get'];
    if (!operation?.responses) continue;
    const responses = operation.responses;
    if (route.startsTask) {
      responses['202'] = { ...responses['200'], headers: { Location: LOCATION_HEADER } };
      delete responses['200'];
    }
    if (route.rateLimited) responses['429'] = TOO_MANY_REQUESTS;
  }
  // The generator's own error schemas, now unused.
  const schemas = document.components?.schemas ?? {};
  for (const name of Object.keys(schemas)) if (name.startsWith('error.')) delete schemas[name];
  document.tags = TAGS;
  return document;
}

/** The generator's error answers (its `error.*` schemas) become ours; hand-written ones already name theirs. */
function useOurErrorBody(responses: NonNullable<Responses>): void {
  for (const response of Object.values(responses) as { content?: Record<string, { schema?: unknown }> }[]) {
    const schema = response?.content?.['application/json']?.schema as { $ref?: string } | undefined;
    if (!schema?.$ref?.startsWith('#/components/schemas/error.')) continue;
    response.content = { 'application/json': { schema: ERROR_BODY_REF } };
  }
}

const LOCATION_HEADER = {
  description: 'The task: poll GET /api/tasks/{id}, or follow GET /api/tasks/{id}/events',
  // Always sent with a 202: generated clients may read it without a check.
  required: true,
  schema: { type: 'string' as const },
};

const TOO_MANY_REQUESTS = {
  description: 'Too many attempts: RATE_LIMIT_EXCEEDED',
  headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' as const } } },
  content: { 'application/json': { schema: ERROR_BODY_REF } },
};

const TAGS = [
  { name: 'Account', description: 'Sign-up, sign-in, profile, settings and API tokens' },
  { name: 'Files', description: 'Your files; bytes move through POST /files and GET /files/{id}/content' },
  { name: 'Documents', description: 'Text extracted from files, its summaries and full-text search' },
  { name: 'Tasks', description: 'Long work (extraction, summaries): poll it or follow its events' },
  { name: 'Stats', description: 'Usage figures' },
  { name: 'System', description: 'What this server is' },
  { name: 'Admin', description: 'Account administration (admins only)' },
];

const DESCRIPTION = `The docrpc API for callers that do not speak tRPC: plain JSON under /api, generated from the same
procedures the TypeScript client calls.

- Authenticate with \`Authorization: Bearer <token>\`: an access token from \`POST ${'/api/auth/token'}\` (OAuth2
  password grant) or an API token (\`drpc_…\`).
- Errors answer \`{ "error": { "message", "code", "data": { "appCode", "httpStatus", "requestId", "fieldErrors"? } } }\`;
  branch on \`appCode\`.
- Long work answers \`202 Accepted\` with a \`Location\` naming the task: poll it, or follow its Server-Sent
  Events at \`GET /api/tasks/{id}/events\`.`;
