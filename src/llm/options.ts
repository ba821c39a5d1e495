// What a caller may ask of a summary: how long, in what shape, in which language.
import { z } from 'zod';
import { ZText } from '../schemas/common.js';

/** A BCP 47 tag such as `en`, `zh-CN` or `ja`: short, and one that Intl accepts (so prompts can name it). */
export const ZLanguageTag = ZText.trim()
  .min(2)
  .max(35)
  .regex(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/, 'must be a BCP 47 language tag such as en or zh-CN')
  .refine((tag) => {
    try {
      return Intl.getCanonicalLocales(tag).length === 1;
    } catch {
      return false;
    }
  }, 'must be a BCP 47 language tag such as en or zh-CN');

export const ZSummaryOptions = z.object({
  length: z.enum(['short', 'medium', 'long']).default('medium'),
  style: z.enum(['paragraph', 'bullets']).default('paragraph'),
  /** Absent: the summary is written in the document's own language. */
  language: ZLanguageTag.optional(),
});

export type SummaryOptions = z.infer<typeof ZSummaryOptions>;
