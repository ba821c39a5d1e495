// Display names from untrusted input: no path parts, no control characters, normalised Unicode.

export function sanitizeFileName(raw: string | undefined): string {
  const base = (raw ?? '').normalize('NFC').split(/[/\\]/).pop() ?? '';
  const cleaned = base
    // Control characters (C0, DEL, C1) and the bidi overrides that can disguise an extension.
    .replace(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+$/, '');
  return cleaned.slice(0, 255) || 'untitled';
}
