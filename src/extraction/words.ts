// Word counts that hold for every script: Intl.Segmenter finds words inside Chinese or Japanese sentences,
// where counting runs between spaces would see one word per sentence.

const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });

export function countWords(text: string): number {
  let words = 0;
  for (const segment of segmenter.segment(text)) if (segment.isWordLike) words += 1;
  return words;
}
