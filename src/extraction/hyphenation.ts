// Words hyphenated across a line end become whole again ("extrac-\ntion" → "extraction"), so search and word
// counts see the word. Without a dictionary the document itself decides: a form it also uses elsewhere on one
// line wins ("compile-time" seen inline keeps its hyphen; "TraceMonkey" seen inline joins "Trace-\nMonkey");
// otherwise a lower-case letter on both sides is a typesetter's break (joined: "com-\npile"), and anything
// else keeps its hyphen ("non-\nEnglish" → "non-English"). Only letters on both sides: "361-\n365" stays.
// The joined word moves up to the line that held its first half, as pdftotext does.

// From the hyphen on: a regex that starts at a literal is fast over a long text; the letters before it are
// found walking back.
const BREAK = /-\n(\p{L}+)(\S*)[ \t]*(\n?)/gu;
const WORD = /[\p{L}\p{M}]+(?:-[\p{L}\p{M}]+)*/gu;
const LETTER = /\p{L}/u;

export function joinHyphenatedWords(text: string): string {
  if (!text.includes('-\n')) return text;
  const inline = inlineForms(text);
  const parts: string[] = [];
  let copied = 0;
  for (const match of text.matchAll(BREAK)) {
    const [whole, right = '', trailing = '', lineEnd] = match;
    let start = match.index;
    while (start > copied && LETTER.test(text[start - 1] ?? '')) start -= 1;
    if (start === match.index) continue;
    const left = text.slice(start, match.index);
    const atEnd = match.index + whole.length === text.length && lineEnd === '';
    parts.push(text.slice(copied, start), wordOf(left, right, inline), trailing, atEnd ? '' : '\n');
    copied = match.index + whole.length;
  }
  parts.push(text.slice(copied));
  return parts.join('');
}

function wordOf(left: string, right: string, inline: Set<string>): string {
  const joined = `${left}${right}`;
  const compound = `${left}-${right}`;
  const joinedSeen = inline.has(joined.toLowerCase());
  const compoundSeen = inline.has(compound.toLowerCase());
  if (joinedSeen !== compoundSeen) return joinedSeen ? joined : compound;
  const lowerBothSides = /\p{Ll}/u.test(left.at(-1) ?? '') && /\p{Ll}/u.test(right[0] ?? '');
  return lowerBothSides ? joined : compound;
}

/** Every word and hyphenated compound as the text writes it within a line, case-folded. */
function inlineForms(text: string): Set<string> {
  const forms = new Set<string>();
  for (const line of text.split(/[\n\f]/)) {
    // A line's last word may be the first half of a break: not a form the text uses.
    const complete = line.endsWith('-') ? line.slice(0, line.lastIndexOf(' ') + 1) : line;
    for (const [word] of complete.matchAll(WORD)) forms.add(word.toLowerCase());
  }
  return forms;
}
