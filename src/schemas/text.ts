// The one string schema every input builds on: PostgreSQL text cannot hold NUL, so a NUL that got past
// validation would fail its query and answer 500; refused here it is a VALIDATION_ERROR on its field.
import { z } from 'zod';

export const NUL_MESSAGE = 'must not contain NUL characters';

/** Any string input: `ZText.trim().min(1).max(100)`, never bare `z.string()`. */
export const ZText = z.string().regex(/^[^\0]*$/, NUL_MESSAGE);
