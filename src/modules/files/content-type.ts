// What an upload really is, decided from its first bytes (file-type for binary formats, a UTF-8 check
// for text), never from its name or a header; a declared type that contradicts the content is refused.
import { fileTypeFromBuffer } from 'file-type';
import { AppError } from '../../errors.js';

const ALLOWED_BINARY_TYPES = new Set([
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'image/png',
  'image/jpeg',
]);

const TEXT_TYPES = ['text/plain', 'text/markdown', 'text/html', 'text/csv', 'application/json'] as const;
type TextType = (typeof TEXT_TYPES)[number];

const TEXT_TYPE_BY_EXTENSION: Record<string, TextType> = {
  txt: 'text/plain',
  text: 'text/plain',
  log: 'text/plain',
  md: 'text/markdown',
  markdown: 'text/markdown',
  html: 'text/html',
  htm: 'text/html',
  csv: 'text/csv',
  json: 'application/json',
};

/** Declared types that say nothing about the content. */
const UNSPECIFIC = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

export interface TypeVerdict {
  mime: string;
}

export async function detectContentType(
  head: Uint8Array,
  declared: string | undefined,
  name: string,
): Promise<TypeVerdict> {
  const declaredType = (declared ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const sniffed = await fileTypeFromBuffer(head);
  if (sniffed) {
    if (!ALLOWED_BINARY_TYPES.has(sniffed.mime)) {
      throw new AppError('FILE_TYPE_INVALID', `Files of type ${sniffed.mime} are not accepted`);
    }
    if (!UNSPECIFIC.has(declaredType) && declaredType !== sniffed.mime) {
      throw new AppError('FILE_TYPE_INVALID', `Declared ${declaredType} but the content is ${sniffed.mime}`);
    }
    return { mime: sniffed.mime };
  }
  if (!looksLikeText(head)) throw new AppError('FILE_TYPE_INVALID', 'Unrecognised binary content');
  const textType = textTypeFor(declaredType, name, head);
  if (!UNSPECIFIC.has(declaredType) && declaredType !== textType) {
    throw new AppError('FILE_TYPE_INVALID', `Declared ${declaredType} but the content is text`);
  }
  return { mime: textType };
}

const isTextType = (value: string): value is TextType => (TEXT_TYPES as readonly string[]).includes(value);

function textTypeFor(declaredType: string, name: string, head: Uint8Array): TextType {
  if (isTextType(declaredType)) return declaredType;

  const extension = name.split('.').pop()?.toLowerCase() ?? '';
  const byName = TEXT_TYPE_BY_EXTENSION[extension];
  if (byName) return byName;
  const start = new TextDecoder().decode(head.subarray(0, 512)).trimStart().toLowerCase();
  if (start.startsWith('<!doctype html') || start.startsWith('<html')) return 'text/html';
  if (start.startsWith('{') || start.startsWith('[')) return 'application/json';
  return 'text/plain';
}

/** Valid UTF-8 (a multi-byte sequence cut at the end of the head is fine) with no NUL or other binary controls. */
function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return true;
  for (const byte of head) {
    if (byte === 0 || byte < 0x09 || (byte > 0x0d && byte < 0x20 && byte !== 0x1b)) return false;
  }
  let end = head.length;
  // Back off an incomplete trailing UTF-8 sequence (at most 3 continuation bytes).
  for (let i = 1; i <= 3 && end - i >= 0; i++) {
    const byte = head[end - i] ?? 0;
    if ((byte & 0xc0) === 0xc0) {
      end -= i;
      break;
    }
    if ((byte & 0x80) === 0) break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}
