// Schemas every module shares: the one string schema inputs build on, an id input, the ok answer.
import { z } from 'zod';

// PostgreSQL text cannot hold NUL, so a NUL that got past validation would fail its query and answer 500;
// refused here it is a VALIDATION_ERROR on its field.
export const NUL_MESSAGE = 'must not contain NUL characters';

/** Any string input: `ZText.trim().min(1).max(100)`, never bare `z.string()`. */
export const ZText = z.string().regex(/^[^\0]*$/, NUL_MESSAGE);

/** `{ id }` of the row a procedure acts on (file.get, task.cancel, auth.revokeToken…). */
export const ZIdInput = z.object({ id: z.uuid() });

/** What a mutation with nothing else to say answers. */
export const ZOk = z.object({ ok: z.literal(true) });

/**
 * A point in time in an output: a Date over /trpc (superjson), an ISO 8601 string over REST. The override tells
 * the OpenAPI document so (zod-openapi writes a bare `type: string` for z.date()), and generated clients read
 * `format: date-time`.
 */
export const ZTimestamp = z.date().meta({ override: { type: 'string', format: 'date-time' } });
