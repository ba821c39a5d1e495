// The Intl segmenters chunking and the extractive summariser share. One fixed locale: ICU's sentence and
// word rules (and its CJK dictionary, used for zh and ja alike) do not depend on it, and a fixed one keeps
// results the same on every machine whatever its LANG.
const LOCALE = 'en';

export const sentenceSegmenter = new Intl.Segmenter(LOCALE, { granularity: 'sentence' });
export const wordSegmenter = new Intl.Segmenter(LOCALE, { granularity: 'word' });
export const graphemeSegmenter = new Intl.Segmenter(LOCALE, { granularity: 'grapheme' });
