// Input and output schemas of file.*, exported for the client.
import { z } from 'zod';
import { ZText, ZTimestamp } from '../../schemas/common.js';

export const ZTag = ZText.trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._:-]{0,49}$/, 'tags are 1-50 letters, digits, ".", "_", ":" or "-"');

export const ZTags = z
  .array(ZTag)
  .max(20, 'at most 20 tags')
  .transform((tags) => [...new Set(tags)]);

export const ZFileName = ZText.trim().min(1, 'is required').max(255, 'must be at most 255 characters');

export const ZFileOutput = z.object({
  id: z.uuid(),
  name: z.string(),
  mime: z.string(),
  size: z.number().int().nonnegative(),
  sha256: z.string(),
  tags: z.array(z.string()),
  createdAt: ZTimestamp,
  updatedAt: ZTimestamp,
});
export type FileOutput = z.infer<typeof ZFileOutput>;

export const ZListFilesInput = z.object({
  cursor: ZText.max(200).optional(),
  limit: z.number().int().min(1).max(100).default(20),
  tag: ZTag.optional(),
  q: ZText.trim().min(1).max(100).optional(),
  mime: ZText.trim().max(100).optional(),
  sort: z.enum(['newest', 'oldest']).default('newest'),
});
export type ListFilesInput = z.infer<typeof ZListFilesInput>;

export const ZListFilesOutput = z.object({ items: z.array(ZFileOutput), nextCursor: z.string().nullable() });

export const ZRenameFileInput = z.object({ id: z.uuid(), name: ZFileName });
export const ZUpdateTagsInput = z.object({ id: z.uuid(), tags: ZTags });
export const ZDownloadUrlOutput = z.object({ url: z.string(), expiresAt: ZTimestamp });

/** Metadata sent alongside a streamed upload (query string, form fields, or the typed client's header). */
export const ZUploadMeta = z.object({
  name: ZFileName.optional(),
  tags: ZTags.default([]),
  contentType: ZText.max(200).optional(),
  /** The declared size, when the caller knows it: lets quota be refused before any byte is read. */
  size: z.number().int().nonnegative().optional(),
});
export type UploadMeta = z.infer<typeof ZUploadMeta>;
