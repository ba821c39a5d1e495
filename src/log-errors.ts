// What a logged error may say about a failed query: its statement and error code, never the values bound
// to it (user input, a token hash's prefix). Used as pino's `err` serializer, so every log line gets it.
import { DrizzleQueryError } from 'drizzle-orm';
import { pino } from 'pino';

/** PostgresError fields that carry row or parameter values ("Key (email)=(bob@…) already exists"). */
const VALUE_FIELDS = new Set(['detail', 'where', 'parameters', 'args', 'types']);

export function serializeError(error: unknown): unknown {
  return pino.stdSerializers.err(withoutQueryValues(error, 0) as Error);
}

function withoutQueryValues(error: unknown, depth: number): unknown {
  if (!(error instanceof Error) || depth > 8) return error;
  const cause = withoutQueryValues(error.cause, depth + 1);
  if (error instanceof DrizzleQueryError) {
    // Its message is "Failed query: <sql>\nparams: <values>"; the statement alone is what helps.
    return copyOf(error, `Failed query: ${error.query}`, cause, ['query']);
  }
  if (error.name === 'PostgresError') {
    const code = (error as { code?: unknown }).code;
    // Data exceptions (class 22) quote the offending value: 'invalid input syntax for type uuid: "…"'.
    const message =
      typeof code === 'string' && code.startsWith('22')
        ? error.message.replace(/"[^"]*"/g, '"…"')
        : error.message;
    const kept = Object.keys(error).filter((key) => !VALUE_FIELDS.has(key) && key !== 'message');
    return copyOf(error, message, cause, kept);
  }
  return cause === error.cause ? error : copyOf(error, error.message, cause, Object.keys(error));
}

/** A stand-in with the same type name, the given message (also in its stack) and only the named fields. */
function copyOf(error: Error, message: string, cause: unknown, keys: string[]): Error {
  const copy = new Error(message, cause === undefined ? undefined : { cause });
  Object.defineProperty(copy, 'constructor', { value: error.constructor, enumerable: false });
  copy.name = error.name;
  copy.stack = error.stack?.replace(error.message, message) ?? message;
  const source = error as unknown as Record<string, unknown>;
  const target = copy as unknown as Record<string, unknown>;
  for (const key of keys) if (key !== 'cause' && key !== 'stack') target[key] = source[key];
  return copy;
}
