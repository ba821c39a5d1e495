// Documents as their owner sees them: extract a file (a task), read, list, delete, and read the text in parts.
import { invalidCursor, pageOf } from '../../db/keyset.js';
import type { AppDeps, Caller } from '../../deps.js';
import { AppError } from '../../errors.js';
import { documentExtractTask } from '../../jobs/definitions/document-extract.js';
import { documentSummarizeTask, type SummarizeInput } from '../../jobs/definitions/document-summarize.js';
import { getFile } from '../files/service.js';
import type { TaskOutput } from '../tasks/schemas.js';
import { enqueueTask } from '../tasks/service.js';
import {
  deleteDocument as deleteDocumentRow,
  findDocument,
  findDocumentTextInfo,
  listDocuments as listDocumentRows,
  readDocumentText,
} from './queries.js';
import type { DocumentOutput, ListDocumentsInput, ListSummariesInput } from './schemas.js';
import { isOwnSummaryOf, listSummaries as listSummaryRows } from './summary-queries.js';

/**
 * Starts the extraction of one of the caller's files. The task's result names the document and whether it
 * already existed (the same content extracted before by this extractor version).
 */
export async function extractDocument(
  deps: AppDeps,
  caller: Caller,
  input: { fileId: string },
): Promise<TaskOutput> {
  // Another user's file answers exactly like a missing one, before any task exists.
  await getFile(deps, caller.id, input.fileId);
  return enqueueTask(deps, caller, documentExtractTask.type, input);
}

export async function getDocument(
  deps: Pick<AppDeps, 'db'>,
  caller: Caller,
  id: string,
): Promise<DocumentOutput> {
  const row = await findDocument(deps.db, caller.id, id);
  if (!row) throw new AppError('RESOURCE_NOT_FOUND', 'No such document');
  return row;
}

export async function listDocuments(deps: AppDeps, caller: Caller, input: ListDocumentsInput) {
  const rows = await listDocumentRows(deps.db, caller.id, { afterId: input.cursor, limit: input.limit });
  // An empty page after a cursor may mean the cursor is none of the caller's documents: refused alike,
  // whether someone else's or never existing.
  if (rows.length === 0 && input.cursor && !(await findDocument(deps.db, caller.id, input.cursor))) {
    throw invalidCursor('document.list');
  }
  return pageOf(rows, input.limit, (last) => last.id);
}

/**
 * Starts a summary of one of the caller's documents. The task's admission (jobs/definitions/
 * document-summarize.ts) counts it against the caller's LLM rate limit and refuses a model no provider
 * serves, before a task exists; task.retry runs the same admission.
 */
export async function summarizeDocument(
  deps: AppDeps,
  caller: Caller,
  input: SummarizeInput,
): Promise<TaskOutput> {
  await getDocument(deps, caller, input.documentId);
  return enqueueTask(deps, caller, documentSummarizeTask.type, input);
}

export async function listSummaries(deps: AppDeps, caller: Caller, input: ListSummariesInput) {
  await getDocument(deps, caller, input.documentId);
  const rows = await listSummaryRows(deps.db, caller.id, {
    documentId: input.documentId,
    afterId: input.cursor,
    limit: input.limit,
  });
  if (
    rows.length === 0 &&
    input.cursor &&
    !(await isOwnSummaryOf(deps.db, caller.id, input.documentId, input.cursor))
  ) {
    throw invalidCursor('document.summaries');
  }
  return pageOf(rows, input.limit, (last) => last.id);
}

/** The document goes, and its summaries with it; the file it came from stays. */
export async function deleteDocument(deps: AppDeps, caller: Caller, id: string): Promise<{ ok: true }> {
  if (!(await deleteDocumentRow(deps.db, caller.id, id))) {
    throw new AppError('RESOURCE_NOT_FOUND', 'No such document');
  }
  return { ok: true };
}

/**
 * Characters per read of a text download: memory per download stays near this, whatever the text's size.
 * Each read makes PostgreSQL decompress the text up to the part's end, so parts are large: a 1 MB text (a
 * 300-page PDF) is one read.
 */
const TEXT_PART_CHARS = 1024 * 1024;

/**
 * The document's text for a download: its suggested file name, and its parts in order. Throws
 * RESOURCE_NOT_FOUND before any part is read; a document deleted mid-download ends the parts early.
 */
export async function openDocumentText(deps: Pick<AppDeps, 'db'>, ownerId: string, id: string) {
  const info = await findDocumentTextInfo(deps.db, ownerId, id);
  if (!info) throw new AppError('RESOURCE_NOT_FOUND', 'No such document');
  const { chars, fileName } = info;
  async function* parts() {
    for (let from = 0; from < chars; from += TEXT_PART_CHARS) {
      const part = await readDocumentText(deps.db, ownerId, id, from, TEXT_PART_CHARS);
      if (part === undefined) return;
      yield part;
    }
  }
  return { fileName: `${fileName.replace(/\.[^.]{1,10}$/, '')}.txt`, parts };
}
