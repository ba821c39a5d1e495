// document.*: text extracted from the caller's files. The text itself is at GET /documents/:id/text.
import { ZIdInput, ZOk } from '../../schemas/common.js';
import { router } from '../../trpc/init.js';
import { scopedProcedure } from '../../trpc/procedures.js';
import { restRoutes } from '../../trpc/rest-route.js';
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
import { searchDocuments } from './search-service.js';
import * as documents from './service.js';

const reader = scopedProcedure('documents:read');
const writer = scopedProcedure('documents:write');

const rest = restRoutes('Documents');

export const documentRouter = router({
  extract: writer
    .meta(rest.post('/api/documents', "Extract a file's text into a document (a task)", { startsTask: true }))
    .input(ZExtractDocumentInput)
    .output(ZTaskOutput)
    .mutation(({ ctx, input }) => documents.extractDocument(ctx.deps, ctx.caller, input)),
  get: reader
    .meta(rest.get('/api/documents/{id}', 'Get a document'))
    .input(ZIdInput)
    .output(ZDocumentOutput)
    .query(({ ctx, input }) => documents.getDocument(ctx.deps, ctx.caller, input.id)),
  list: reader
    .meta(rest.get('/api/documents', 'List your documents'))
    .input(ZListDocumentsInput)
    .output(ZListDocumentsOutput)
    .query(({ ctx, input }) => documents.listDocuments(ctx.deps, ctx.caller, input)),
  summarize: writer
    .meta(
      rest.post('/api/documents/{documentId}/summaries', 'Summarize a document (a task)', {
        startsTask: true,
        rateLimited: true,
      }),
    )
    .input(ZSummarizeDocumentInput)
    .output(ZTaskOutput)
    .mutation(({ ctx, input }) => documents.summarizeDocument(ctx.deps, ctx.caller, input)),
  summaries: reader
    .meta(rest.get('/api/documents/{documentId}/summaries', 'List the summaries of a document'))
    .input(ZListSummariesInput)
    .output(ZListSummariesOutput)
    .query(({ ctx, input }) => documents.listSummaries(ctx.deps, ctx.caller, input)),
  search: reader
    .meta(rest.get('/api/documents/search', 'Search your documents'))
    .input(ZSearchDocumentsInput)
    .output(ZSearchDocumentsOutput)
    .query(({ ctx, input }) => searchDocuments(ctx.deps, ctx.caller, input)),
  delete: writer
    .meta(rest.delete('/api/documents/{id}', 'Delete a document'))
    .input(ZIdInput)
    .output(ZOk)
    .mutation(({ ctx, input }) => documents.deleteDocument(ctx.deps, ctx.caller, input.id)),
});
