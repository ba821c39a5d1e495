// A cheap language guess from the text's writing system: enough to pick CJK handling and a search
// configuration, without a statistical model. Answers a BCP 47 tag: `ja`, `zh`, `ko`, `en`, or `und-<Script>`
// (language undetermined, script known) and `und` when there is no letter at all.

const SAMPLE_CHARS = 20_000;

const SCRIPTS = [
  ['Hira', /\p{Script=Hiragana}|\p{Script=Katakana}/u],
  ['Hang', /\p{Script=Hangul}/u],
  ['Hani', /\p{Script=Han}/u],
  ['Latn', /\p{Script=Latin}/u],
  ['Cyrl', /\p{Script=Cyrillic}/u],
  ['Arab', /\p{Script=Arabic}/u],
  ['Grek', /\p{Script=Greek}/u],
  ['Hebr', /\p{Script=Hebrew}/u],
  ['Deva', /\p{Script=Devanagari}/u],
  ['Thai', /\p{Script=Thai}/u],
] as const;

type Script = (typeof SCRIPTS)[number][0];

// The commonest English function words: a Latin text where they are frequent is English.
const ENGLISH = new Set([
  'the',
  'and',
  'of',
  'to',
  'in',
  'is',
  'that',
  'for',
  'it',
  'with',
  'as',
  'was',
  'on',
]);

export function guessLanguage(text: string): string {
  const sample = text.length > SAMPLE_CHARS ? text.slice(0, SAMPLE_CHARS) : text;
  const counts = new Map<Script, number>();
  for (const char of sample) {
    if (!/\p{L}/u.test(char)) continue;
    const script = SCRIPTS.find(([, pattern]) => pattern.test(char))?.[0];
    if (script) counts.set(script, (counts.get(script) ?? 0) + 1);
  }
  const letters = [...counts.values()].reduce((sum, n) => sum + n, 0);
  if (letters === 0) return 'und';
  const share = (script: Script) => (counts.get(script) ?? 0) / letters;
  // Japanese mixes kana with kanji; any real share of kana says Japanese, not Chinese.
  if (share('Hira') > 0.05) return 'ja';
  if (share('Hang') > 0.3) return 'ko';
  if (share('Hani') > 0.3) return 'zh';
  const [top] = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  if (!top) return 'und';
  if (top[0] === 'Latn' && looksEnglish(sample)) return 'en';
  return `und-${top[0]}`;
}

function looksEnglish(sample: string): boolean {
  const words = sample.toLowerCase().match(/[a-z]+/g) ?? [];
  if (words.length === 0) return false;
  const common = words.filter((word) => ENGLISH.has(word)).length;
  return common / words.length > 0.08;
}
