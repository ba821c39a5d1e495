// The extractor's version: part of a document's identity, so changing what extraction produces (a parser
// upgrade, a different page separator) makes the next extract of the same content a new document.
export const EXTRACTOR_VERSION = 'docrpc-extract/2';
