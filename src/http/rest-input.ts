// What a REST call's input is made of: path parameters, then the query string (GET, DELETE) read by the
// procedure's input schema (numbers and booleans coerced, arrays from repeated keys), or a JSON body.
// The schema itself is only read, never changed: /trpc parses the same schema and must not start coercing.
import type { IncomingMessage } from 'node:http';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';

/** The kind of value each top-level key of an object input takes, as a query string must be read for it. */
export type QueryShape = Map<string, { kind: string; element?: string }>;

export function queryShapeOf(input: unknown): QueryShape {
  const shape: QueryShape = new Map();
  if (!(input instanceof z.ZodObject)) return shape;
  for (const [key, field] of Object.entries(input.shape as Record<string, z.ZodType>)) {
    const inner = unwrap(field);
    const kind = inner.def.type;
    if (kind === 'array') {
      shape.set(key, { kind, element: unwrap((inner as z.ZodArray<z.ZodType>).element).def.type });
    } else {
      shape.set(key, { kind });
    }
  }
  return shape;
}

/** Through optional, default, nullable and the like, and the input side of a pipe. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = current.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
    if (def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else return current;
  }
}

export function queryInput(params: URLSearchParams, shape: QueryShape): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    const field = shape.get(key);
    if (field?.kind === 'array') {
      input[key] = values.map((value) => coerce(value, field.element));
    } else {
      // A repeated key for a single value stays a list: the schema refuses it by name.
      input[key] = values.length === 1 ? coerce(values[0] ?? '', field?.kind) : values;
    }
  }
  return input;
}

const NUMBER = /^-?(\d+|\d*\.\d+)(e[+-]?\d+)?$/i;

/** Only what reads unambiguously: anything else stays a string, for the schema to refuse with its own message. */
function coerce(value: string, kind: string | undefined): unknown {
  if (kind === 'number' && NUMBER.test(value)) return Number(value);
  if (kind === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/** A JSON object body, at most `maxBytes`; an empty body is `{}`. */
export async function jsonBody(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'];
  const isJson = type !== undefined && /^application\/json\s*(;|$)/i.test(type);
  if (type !== undefined && !isJson) {
    throw new TRPCError({ code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the body as application/json' });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes)
      throw new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message: 'Request body too large' });
    chunks.push(chunk);
  }
  if (size === 0) return {};
  if (!isJson) {
    throw new TRPCError({ code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the body as application/json' });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
  } catch {
    throw new TRPCError({ code: 'PARSE_ERROR', message: 'The body is not valid JSON' });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'The body must be a JSON object' });
  }
  return parsed as Record<string, unknown>;
}
