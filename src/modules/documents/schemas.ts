// Input and output schemas of document.*, exported for the client.
import { z } from 'zod';
import { ZExtractInput } from '../../jobs/definitions/document-extract.js';
import { ZSummarizeInput } from '../../jobs/definitions/document-summarize.js';
import { ZSummaryOptions } from '../../llm/options.js';
import { ZText, ZTimestamp } from '../../schemas/common.js';

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
  createdAt: ZTimestamp,
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
  createdAt: ZTimestamp,
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

/** Markers around a highlighted match in a search snippet; the rest of the snippet is HTML-escaped. */
export const SNIPPET_MARK = { start: '<b>', stop: '</b>' } as const;

export const ZSearchDocumentsInput = z.object({
  /**
   * Web search syntax (websearch_to_tsquery): words all present, "a phrase", or, -excluded. Chinese and
   * Japanese are matched as written, inside sentences too.
   */
  q: ZText.trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
  cursor: ZText.max(200).optional(),
  limit: z.number().int().min(1).max(50).default(20),
});
export type SearchDocumentsInput = z.infer<typeof ZSearchDocumentsInput>;

export const ZSearchResult = z.object({
  documentId: z.uuid(),
  fileId: z.uuid(),
  /** The file's name; null once the file was deleted (the document outlives it). */
  fileName: z.string().nullable(),
  /** Relevance in [0, 1): higher is better; only comparable within one query's results. */
  rank: z.number(),
  /**
   * An excerpt around the matches, safe to insert as HTML: every character of the text is HTML-escaped and
   * each match is wrapped in <b>…</b>, the only markup. The text's beginning when no match is near it.
   */
  snippet: z.string(),
  /** The document's page count (PDF); null for formats without pages. */
  pages: z.number().int().nullable(),
  language: z.string(),
  createdAt: ZTimestamp,
});
export type SearchResult = z.infer<typeof ZSearchResult>;

export const ZSearchDocumentsOutput = z.object({
  items: z.array(ZSearchResult),
  /** Pass back as `cursor` with the same q for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
