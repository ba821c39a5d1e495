// Input and output schemas of document.*, exported for the client.
import { z } from 'zod';
import { ZExtractInput } from '../../jobs/definitions/document-extract.js';
import { ZSummarizeInput } from '../../jobs/definitions/document-summarize.js';
import { ZSummaryOptions } from '../../llm/options.js';

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

export const ZSummarizeDocumentInput = ZSummarizeInput;

export const ZSummaryOutput = z.object({
  id: z.uuid(),
  documentId: z.uuid(),
  /** The model that wrote it; `builtin-extractive` for the offline summariser. */
  model: z.string(),
  length: ZSummaryOptions.shape.length.unwrap(),
  style: ZSummaryOptions.shape.style.unwrap(),
  /** The language asked for; null when the summary follows the document's. */
  language: z.string().nullable(),
  text: z.string(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  /** Parts the text was split into (1 when it fitted one call), and calls made to the provider. */
  chunks: z.number().int(),
  calls: z.number().int(),
  durationMs: z.number().int(),
  createdAt: z.date(),
});
export type SummaryOutput = z.infer<typeof ZSummaryOutput>;

export const ZListSummariesInput = z.object({
  documentId: z.uuid(),
  cursor: z.uuid().optional(),
  limit: z.number().int().min(1).max(100).default(20),
});
export type ListSummariesInput = z.infer<typeof ZListSummariesInput>;

export const ZListSummariesOutput = z.object({
  items: z.array(ZSummaryOutput),
  nextCursor: z.uuid().nullable(),
});
