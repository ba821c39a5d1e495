// document.*: text extracted from the caller's files. The text itself is at GET /documents/:id/text.
import { ZIdInput, ZOk } from '../../schemas/common.js';
import { router } from '../../trpc/init.js';
import { scopedProcedure } from '../../trpc/procedures.js';
import { ZTaskOutput } from '../tasks/schemas.js';
import {
  ZDocumentOutput,
  ZExtractDocumentInput,
  ZListDocumentsInput,
  ZListDocumentsOutput,
  ZListSummariesInput,
  ZListSummariesOutput,
  ZSearchDocumentsInput,
  ZSearchDocumentsOutput,
  ZSummarizeDocumentInput,
} from './schemas.js';
import * as documents from './service.js';

const reader = scopedProcedure('documents:read');
const writer = scopedProcedure('documents:write');

export const documentRouter = router({
  extract: writer
    .input(ZExtractDocumentInput)
    .output(ZTaskOutput)
    .mutation(({ ctx, input }) => documents.extractDocument(ctx.deps, ctx.caller, input)),
  get: reader
    .input(ZIdInput)
    .output(ZDocumentOutput)
    .query(({ ctx, input }) => documents.getDocument(ctx.deps, ctx.caller, input.id)),
  list: reader
    .input(ZListDocumentsInput)
    .output(ZListDocumentsOutput)
    .query(({ ctx, input }) => documents.listDocuments(ctx.deps, ctx.caller, input)),
  summarize: writer
    .input(ZSummarizeDocumentInput)
    .output(ZTaskOutput)
    .mutation(({ ctx, input }) => documents.summarizeDocument(ctx.deps, ctx.caller, input)),
  summaries: reader
    .input(ZListSummariesInput)
    .output(ZListSummariesOutput)
    .query(({ ctx, input }) => documents.listSummaries(ctx.deps, ctx.caller, input)),
  search: reader
    .input(ZSearchDocumentsInput)
    .output(ZSearchDocumentsOutput)
    .query(({ ctx, input }) => documents.searchDocuments(ctx.deps, ctx.caller, input)),
  delete: writer
    .input(ZIdInput)
    .output(ZOk)
    .mutation(({ ctx, input }) => documents.deleteDocument(ctx.deps, ctx.caller, input.id)),
});
