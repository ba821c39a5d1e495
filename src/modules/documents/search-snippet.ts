// A search result's snippet as a client may insert it into HTML: the text escaped, matches in <b>…</b>.

import { SNIPPET_MARK } from './schemas.js';
import { HIGHLIGHT_START, HIGHLIGHT_STOP } from './search-queries.js';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/**
 * The snippet from what the query returned: ts_headline's excerpt when it marked a match (stemmed words,
 * phrases), else the window around a CJK word of the query (ts_headline cannot see CJK words inside a
 * sentence), else the headline as it is (the text's beginning). CJK words of the query are marked wherever
 * they occur in it.
 */
export function snippetOf(
  found: { headline: string; cjkWindow: string | null },
  cjkWords: readonly string[],
): string {
  const marked = found.headline.includes(HIGHLIGHT_START);
  const source = marked || found.cjkWindow === null ? found.headline : found.cjkWindow;
  const parts = squeezeSpace(source).split(new RegExp(`${HIGHLIGHT_START}|${HIGHLIGHT_STOP}`));
  // split() alternates: text outside a mark, then inside, and so on (the markers never nest).
  return parts
    .map((part, i) =>
      i % 2 === 1
        ? `${SNIPPET_MARK.start}${escapeHtml(part)}${SNIPPET_MARK.stop}`
        : markWords(part, cjkWords),
    )
    .join('');
}

/** Escapes `text`, wrapping each occurrence of a word (longest first where they overlap) in the marks. */
function markWords(text: string, words: readonly string[]): string {
  const wanted = [...new Set(words)].filter(Boolean).sort((a, b) => b.length - a.length);
  if (wanted.length === 0) return escapeHtml(text);
  const pattern = new RegExp(
    wanted.map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
    'g',
  );
  let out = '';
  let at = 0;
  for (const match of text.matchAll(pattern)) {
    out += `${escapeHtml(text.slice(at, match.index))}${SNIPPET_MARK.start}${escapeHtml(match[0])}${SNIPPET_MARK.stop}`;
    at = match.index + match[0].length;
  }
  return out + escapeHtml(text.slice(at));
}

/** Line and page breaks read as spaces in a one-line excerpt. */
function squeezeSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
