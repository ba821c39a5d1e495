// Upload metadata from the places a caller can put it, validated by the same schema.
import { ZodError } from 'zod';
import { AppError, fieldErrorsOf } from '../../errors.js';
import { type UploadMeta, ZUploadMeta } from './schemas.js';

/** The typed client sends `x-docrpc-upload: base64url(JSON)`; absent means no name and no tags. */
export function parseUploadMeta(header: string | null): UploadMeta {
  let raw: unknown = {};
  if (header) {
    try {
      raw = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    } catch {
      throw new AppError('VALIDATION_ERROR', 'x-docrpc-upload is not base64url JSON');
    }
  }
  return validate(raw);
}

/** curl/Python: `?name=…&tags=a,b` on the URL, or form fields with the same names. */
export function uploadMetaFromFields(fields: {
  name?: string | null;
  tags?: string | null;
  contentType?: string | null;
  size?: number;
}): UploadMeta {
  return validate({
    ...(fields.name ? { name: fields.name } : {}),
    tags: (fields.tags ?? '')
      .split(',')
      .map((tag) => tag.trim())
      .filter((tag) => tag.length > 0),
    ...(fields.contentType ? { contentType: fields.contentType } : {}),
    ...(fields.size !== undefined ? { size: fields.size } : {}),
  });
}

function validate(raw: unknown): UploadMeta {
  try {
    return ZUploadMeta.parse(raw);
  } catch (error) {
    if (error instanceof ZodError) {
      throw new AppError('VALIDATION_ERROR', 'Invalid upload metadata', {
        fieldErrors: fieldErrorsOf(error),
      });
    }
    throw error;
  }
}
