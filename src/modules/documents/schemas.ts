// Input and output schemas of document.*, exported for the client.
import { z } from 'zod';
import { ZExtractInput } from '../../jobs/definitions/document-extract.js';

export const ZExtractDocumentInput = ZExtractInput;

/** A document without its text (GET /documents/:id/text streams that). */
export const ZDocumentOutput = z.object({
  id: z.uuid(),
  fileId: z.uuid(),
  sha256: z.string(),
  /** Pages of a paginated format (PDF); null for the others. */
  pages: z.number().int().nullable(),
  words: z.number().int(),
  /** A BCP 47 guess from the writing system: en, zh, ja, ko, und-Latn… */
  language: z.string(),
  extractionMs: z.number().int(),
  extractorVersion: z.string(),
  createdAt: z.date(),
});
export type DocumentOutput = z.infer<typeof ZDocumentOutput>;

export const ZListDocumentsInput = z.object({
  cursor: z.uuid().optional(),
  limit: z.number().int().min(1).max(100).default(20),
});
export type ListDocumentsInput = z.infer<typeof ZListDocumentsInput>;

export const ZListDocumentsOutput = z.object({
  items: z.array(ZDocumentOutput),
  nextCursor: z.uuid().nullable(),
});
