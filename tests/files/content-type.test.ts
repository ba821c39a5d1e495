// detectContentType on its own: the rules that decide what an upload is, case by case, with no server.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { detectContentType } from '../../src/modules/files/content-type.js';
import { ELF, GIF, JPEG, PDF, png, TEXT } from '../fixtures/files.js';

const bytes = (...values: number[]) => Uint8Array.from(values);
const utf8 = (text: string) => new Uint8Array(Buffer.from(text));

async function verdict(head: Uint8Array, declared: string | undefined, name: string) {
  try {
    return (await detectContentType(head, declared, name)).mime;
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, message: error.message };
    throw error;
  }
}

describe('binary formats, sniffed', () => {
  it.each([
    ['application/pdf', 'nothing', PDF, undefined],
    ['application/pdf', 'application/pdf', PDF, 'application/pdf'],
    ['application/pdf', 'APPLICATION/PDF; name=x', PDF, 'APPLICATION/PDF; name=x'],
    ['application/pdf', 'application/octet-stream', PDF, 'application/octet-stream'],
    ['application/pdf', 'binary/octet-stream', PDF, 'binary/octet-stream'],
    ['application/pdf', 'an empty type', PDF, ''],
    ['image/png', 'image/png', png(), 'image/png'],
    ['image/jpeg', 'nothing', JPEG, undefined],
  ])('%s declared as %s: accepted', async (mime, _label, head, declared) => {
    expect(await verdict(new Uint8Array(head), declared, 'whatever.txt')).toBe(mime);
  });

  it('a type outside the accepted set is refused, naming it', async () => {
    expect(await verdict(new Uint8Array(GIF), undefined, 'a.gif')).toEqual({
      code: 'FILE_TYPE_INVALID',
      message: 'Files of type image/gif are not accepted',
    });
  });

  it.each(['text/plain', 'text/plain; charset=utf-8', 'image/png', 'application/json'])(
    'a PDF declared as %s is refused',
    async (declared) => {
      expect(await verdict(new Uint8Array(PDF), declared, 'a.pdf')).toEqual({
        code: 'FILE_TYPE_INVALID',
        message: `Declared ${declared.split(';')[0]} but the content is application/pdf`,
      });
    },
  );

  it('an executable is refused, named by its sniffed type', async () => {
    expect(await verdict(new Uint8Array(ELF), undefined, 'a.txt')).toEqual({
      code: 'FILE_TYPE_INVALID',
      message: 'Files of type application/x-elf are not accepted',
    });
  });
});

describe('text, by declared type, then name, then first bytes', () => {
  it.each([
    ['a.txt', 'text/plain'],
    ['a.text', 'text/plain'],
    ['server.log', 'text/plain'],
    ['a.md', 'text/markdown'],
    ['README.MARKDOWN', 'text/markdown'],
    ['page.html', 'text/html'],
    ['page.HTM', 'text/html'],
    ['table.csv', 'text/csv'],
    ['data.json', 'application/json'],
    ['archive.tar.md', 'text/markdown'],
  ])('%s → %s', async (name, mime) => {
    expect(await verdict(new Uint8Array(TEXT), undefined, name)).toBe(mime);
  });

  it.each([
    ['<!DOCTYPE html><p>x', 'text/html'],
    ['  \n<html lang="en">', 'text/html'],
    ['{"a":1}', 'application/json'],
    [' [1,2]', 'application/json'],
    ['<p>not a page', 'text/plain'],
    ['plain words', 'text/plain'],
  ])('no telling name, content %j → %s', async (content, mime) => {
    expect(await verdict(utf8(content), 'application/octet-stream', 'upload')).toBe(mime);
  });

  it('only the first 512 bytes are looked at for the shape', async () => {
    expect(await verdict(utf8(`${' '.repeat(512)}{"late":1}`), undefined, 'upload')).toBe('text/plain');
  });

  it('a declared text type wins over the name and the content', async () => {
    expect(await verdict(utf8('{"a":1}'), 'text/csv', 'a.md')).toBe('text/csv');
    expect(await verdict(utf8('a,b'), 'Text/CSV; charset=utf-8', 'a.txt')).toBe('text/csv');
    expect(await verdict(utf8('hello'), 'application/json', 'a.txt')).toBe('application/json');
  });

  it('a declared type that is not text, for text, is refused', async () => {
    for (const declared of ['image/png', 'application/pdf', 'text/x-unknown']) {
      expect(await verdict(utf8('hello'), declared, 'a.txt')).toEqual({
        code: 'FILE_TYPE_INVALID',
        message: `Declared ${declared} but the content is text`,
      });
    }
  });

  it('an empty file is text, typed by its name', async () => {
    expect(await verdict(new Uint8Array(0), undefined, 'empty.md')).toBe('text/markdown');
    expect(await verdict(new Uint8Array(0), undefined, 'empty')).toBe('text/plain');
  });
});

describe('what counts as text', () => {
  it.each([
    ['tab, newline, vertical tab, form feed, return', bytes(0x61, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x62)],
    ['escape (ANSI colours in logs)', bytes(0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x61)],
    ['space and DEL', bytes(0x20, 0x7f)],
    ['complete UTF-8', utf8('Résumé € 😀')],
    ['a 2-byte sequence cut at the end', bytes(0x61, 0xc3)],
    ['a 3-byte sequence cut after 2 bytes', bytes(0x61, 0xe2, 0x82)],
    ['a 4-byte sequence cut after 3 bytes', bytes(0x61, 0xf0, 0x9f, 0x98)],
    ['a 4-byte sequence cut after 1 byte', bytes(0x61, 0xf0)],
  ])('%s: text', async (_label, head) => {
    expect(await verdict(head, undefined, 'a.txt')).toBe('text/plain');
  });

  it.each([
    ['NUL', bytes(0x61, 0x00, 0x62)],
    ['backspace', bytes(0x61, 0x08)],
    ['SOH', bytes(0x01)],
    ['shift out', bytes(0x61, 0x0e)],
    ['unit separator', bytes(0x61, 0x1f)],
    ['a stray continuation byte at the end', bytes(0x61, 0x80)],
    ['a stray continuation byte in the middle', bytes(0x61, 0x80, 0x61)],
    ['an invalid byte', bytes(0x61, 0xff, 0x61)],
    ['a cut sequence in the middle', bytes(0xc3, 0x61, 0x61, 0x61, 0x61)],
    ['four continuation bytes at the end', bytes(0x61, 0xf0, 0x9f, 0x98, 0x80, 0x80)],
  ])('%s: not text', async (_label, head) => {
    expect(await verdict(head, undefined, 'a.txt')).toEqual({
      code: 'FILE_TYPE_INVALID',
      message: 'Unrecognised binary content',
    });
  });
});
