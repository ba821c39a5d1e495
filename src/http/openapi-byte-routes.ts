// The routes of the OpenAPI document that have no procedure behind them: file bytes in and out, a document's
// text, the OAuth2 token endpoint and task events. Written by hand as path items; every JSON schema in them is
// the zod schema the route itself answers with.
import { z } from 'zod';
import type { oas31, ZodOpenApiPathsObject, ZodOpenApiResponseObject } from 'zod-openapi';
import { ZFileOutput } from '../modules/files/schemas.js';
import { ZErrorBody } from './error-body.js';
import { OAUTH_TOKEN_PATH, ZTokenError, ZTokenRequest, ZTokenResponse } from './oauth-token.js';
import { TASK_EVENTS_OPENAPI_PATH } from './task-events.js';

const security: oas31.SecurityRequirementObject[] = [{ bearer: [] }, { oauth2: [] }];
const text = { type: 'string' } as const;
const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const error = (description: string): ZodOpenApiResponseObject => ({ description, ...json(ZErrorBody) });
const authErrors = {
  '401': error('No, or an invalid, token: AUTH_REQUIRED, AUTH_INVALID, AUTH_EXPIRED'),
  '403': error('FORBIDDEN: the API token lacks the scope'),
};
const idParameter = (description: string) => z.object({ id: z.uuid().meta({ description }) });

const ZUploaded = z.object({ file: ZFileOutput });
const binary = { contentMediaType: 'application/octet-stream' };

export const byteRoutePaths: ZodOpenApiPathsObject = {
  '/files': {
    post: {
      operationId: 'file-upload',
      summary: 'Upload a file (multipart form, or the raw bytes as the body)',
      description:
        'Checked by content (never by name or header) and streamed to storage; answers the file. ' +
        '`curl -F file=@report.pdf -F tags=q3,board`, or the raw body with `?name=report.pdf&tags=q3`.',
      tags: ['Files'],
      security,
      requestParams: {
        query: z.object({
          name: z.string().optional().meta({ description: 'Raw body: the file name' }),
          tags: z.string().optional().meta({ description: 'Raw body: comma-separated tags' }),
        }),
      },
      requestBody: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: z.object({
              file: z.string().meta({ ...binary, description: 'The file (one per request)' }),
              name: z.string().optional().meta({ description: 'Overrides the uploaded file name' }),
              tags: z.string().optional().meta({ description: 'Comma-separated tags' }),
            }),
          },
          'application/octet-stream': { schema: z.string().meta(binary) },
        },
      },
      responses: {
        '201': { description: 'Stored', ...json(ZUploaded) },
        '400': error('VALIDATION_ERROR: a malformed form, no file part, bad tags'),
        ...authErrors,
        '413': error('FILE_TOO_LARGE (or QUOTA_EXCEEDED, 403)'),
        '415': error('FILE_TYPE_INVALID: the content is no type this server accepts'),
      },
    },
  },
  '/files/{id}/content': {
    get: {
      operationId: 'file-content',
      summary: 'Download a file (Range and ETag supported)',
      description:
        'With a Bearer token, or with `?token=` from POST /api/files/{id}/download-url (no header needed). ' +
        'One byte range (`Range: bytes=0-1023`) answers 206; several answer the whole file.',
      tags: ['Files'],
      security: [...security, {}],
      requestParams: {
        path: idParameter('The file'),
        query: z.object({ token: z.string().optional().meta({ description: 'A signed download token' }) }),
        header: z.object({
          Range: z.string().optional().meta({ description: 'e.g. bytes=0-1023' }),
          'If-None-Match': z.string().optional().meta({ description: 'The ETag you have' }),
        }),
      },
      responses: {
        '200': {
          description: 'The whole file',
          content: { 'application/octet-stream': { schema: z.string().meta(binary) } },
        },
        '206': {
          description: 'The requested range',
          headers: { 'Content-Range': { description: 'bytes start-end/size', schema: text } },
          content: { 'application/octet-stream': { schema: z.string().meta(binary) } },
        },
        '304': { description: 'Not modified (If-None-Match matched the ETag)' },
        ...authErrors,
        '404': error('RESOURCE_NOT_FOUND'),
        '416': error('The range lies outside the file'),
      },
    },
  },
  '/documents/{id}/text': {
    get: {
      operationId: 'document-text',
      summary: "Download a document's extracted text (UTF-8)",
      tags: ['Documents'],
      security,
      requestParams: { path: idParameter('The document') },
      responses: {
        '200': { description: 'The text', content: { 'text/plain': { schema: z.string() } } },
        ...authErrors,
        '404': error('RESOURCE_NOT_FOUND'),
      },
    },
  },
  [OAUTH_TOKEN_PATH]: {
    post: {
      operationId: 'auth-token',
      summary: 'Get a bearer token (OAuth2 password or refresh_token grant)',
      description:
        '`curl -d grant_type=password -d username=ada -d password=… /api/auth/token`. The sign-in rate ' +
        'limits apply (429 slow_down with Retry-After).',
      tags: ['Account'],
      security: [],
      requestBody: {
        required: true,
        content: { 'application/x-www-form-urlencoded': { schema: ZTokenRequest } },
      },
      responses: {
        '200': { description: 'Signed in', ...json(ZTokenResponse) },
        '400': {
          description: 'invalid_request, invalid_grant, unsupported_grant_type',
          ...json(ZTokenError),
        },
        '401': { description: 'invalid_client: a client secret was sent', ...json(ZTokenError) },
        '429': {
          description: 'slow_down: too many attempts',
          headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
          ...json(ZTokenError),
        },
      },
    },
  },
  [TASK_EVENTS_OPENAPI_PATH]: {
    get: {
      operationId: 'task-events',
      summary: "Follow a task's progress (Server-Sent Events)",
      description:
        "The current state first, then an event per change until the task ends; `id:` is the task's seq, " +
        'so `Last-Event-ID` resumes after what you saw. Comment lines keep idle connections open. ' +
        '`curl -N -H "Authorization: Bearer …" /api/tasks/{id}/events`. Each event\'s `data:` is the task ' +
        '(as GET /api/tasks/{id} answers it).',
      tags: ['Tasks'],
      security,
      requestParams: {
        path: idParameter('The task'),
        header: z.object({
          'Last-Event-ID': z.string().optional().meta({ description: 'Resume after this seq' }),
        }),
      },
      responses: {
        '200': {
          description: 'An event stream of tasks',
          content: { 'text/event-stream': { schema: z.string() } },
        },
        ...authErrors,
        '404': error('TASK_NOT_FOUND'),
      },
    },
  },
};
