// file.*: the caller's files. Bytes move through file.upload (streamed) and GET /files/:id/content.
import { Readable } from 'node:stream';
import { octetInputParser } from '@trpc/server/http';
import { ZIdInput, ZOk } from '../../schemas/common.js';
import { router } from '../../trpc/init.js';
import { scopedProcedure } from '../../trpc/procedures.js';
import { restRoutes } from '../../trpc/rest-route.js';
import {
  ZDownloadUrlOutput,
  ZFileOutput,
  ZListFilesInput,
  ZListFilesOutput,
  ZRenameFileInput,
  ZUpdateTagsInput,
} from './schemas.js';
import * as files from './service.js';
import { uploadFile } from './upload.js';
import { parseUploadMeta } from './upload-meta.js';

const reader = scopedProcedure('files:read');
const writer = scopedProcedure('files:write');

const rest = restRoutes('Files');

export const fileRouter = router({
  upload: writer
    .input(octetInputParser)
    .output(ZFileOutput)
    .mutation(({ ctx, input, signal }) => {
      const meta = parseUploadMeta(ctx.uploadMeta);
      // tRPC's request body never ends nor fails when the client goes away mid-body; its signal does fire.
      const body = Readable.fromWeb(input, signal ? { signal } : {});
      return uploadFile(ctx.deps, ctx.caller, body, meta);
    }),
  list: reader
    .meta(rest.get('/api/files', 'List your files'))
    .input(ZListFilesInput)
    .output(ZListFilesOutput)
    .query(({ ctx, input }) => files.listFiles(ctx.deps, ctx.caller, input)),
  get: reader
    .meta(rest.get('/api/files/{id}', 'Get a file'))
    .input(ZIdInput)
    .output(ZFileOutput)
    .query(({ ctx, input }) => files.getFile(ctx.deps, ctx.caller.id, input.id)),
  rename: writer
    .meta(rest.put('/api/files/{id}/name', 'Rename a file'))
    .input(ZRenameFileInput)
    .output(ZFileOutput)
    .mutation(({ ctx, input }) => files.renameFile(ctx.deps, ctx.caller, input)),
  updateTags: writer
    .meta(rest.put('/api/files/{id}/tags', 'Replace the tags of a file'))
    .input(ZUpdateTagsInput)
    .output(ZFileOutput)
    .mutation(({ ctx, input }) => files.updateTags(ctx.deps, ctx.caller, input)),
  delete: writer
    .meta(rest.delete('/api/files/{id}', 'Delete a file'))
    .input(ZIdInput)
    .output(ZOk)
    .mutation(({ ctx, input }) => files.deleteFile(ctx.deps, ctx.caller, input)),
  downloadUrl: reader
    .meta(rest.post('/api/files/{id}/download-url', 'Make a short-lived download URL'))
    .input(ZIdInput)
    .output(ZDownloadUrlOutput)
    .mutation(({ ctx, input }) => files.createDownloadUrl(ctx.deps, ctx.caller, input)),
});
