// The prompts of a summary: one for a text that fits, one per chunk (map), one to combine chunk summaries
// (reduce), each honouring the requested length, style and language.
import type { ChatMessage } from './chat-model.js';
import type { SummaryOptions } from './options.js';

/** Part of every summary's cache key: bump it when a prompt changes what a summary says. */
export const PROMPT_VERSION = 1;

const LENGTH_GOAL: Record<SummaryOptions['length'], { paragraph: string; bullets: string }> = {
  short: { paragraph: 'two or three sentences (about 60 words)', bullets: '3 bullet points' },
  medium: { paragraph: 'one or two paragraphs (about 150 words)', bullets: '5 to 7 bullet points' },
  long: { paragraph: 'three to five paragraphs (about 400 words)', bullets: '10 to 12 bullet points' },
};

/** The most tokens a final summary may take: the goals above with room to finish a sentence. */
export const FINAL_MAX_TOKENS: Record<SummaryOptions['length'], number> = {
  short: 300,
  medium: 600,
  long: 1200,
};

/** The most tokens a chunk summary (or an intermediate combination) may take. */
export const PART_MAX_TOKENS = 400;

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });

function languageRule(language: string | undefined): string {
  if (!language) return 'Write in the same language as the document itself.';
  return `Write in ${languageNames.of(language) ?? language} (${language}), whatever the document's language.`;
}

function shapeRule(options: SummaryOptions): string {
  const goal = LENGTH_GOAL[options.length];
  return options.style === 'bullets'
    ? `Answer with ${goal.bullets}, each on its own line starting with "- ", and nothing else.`
    : `Answer with ${goal.paragraph} of plain prose, with no heading, list or preamble.`;
}

const FAITHFUL =
  'Use only what the text says: keep names, numbers and dates exact, add no opinion, and do not mention ' +
  'that you are summarising.';

/** The one call for a text that fits the model's context. */
export function wholeTextPrompt(text: string, options: SummaryOptions): ChatMessage[] {
  return [
    {
      role: 'system',
      content: `You summarise documents. ${FAITHFUL} ${shapeRule(options)} ${languageRule(options.language)}`,
    },
    { role: 'user', content: `Summarise this document:\n\n${text}` },
  ];
}

/** Map: one chunk of a longer document, summarised in detail so the combination loses little. */
export function chunkPrompt(
  chunk: string,
  index: number,
  total: number,
  options: SummaryOptions,
): ChatMessage[] {
  return [
    {
      role: 'system',
      content:
        `You summarise one part of a longer document; the summaries of all parts are combined later. ${FAITHFUL} ` +
        `Keep every main point of this part in at most ${Math.round(PART_MAX_TOKENS * 0.6)} words of plain prose. ` +
        languageRule(options.language),
    },
    { role: 'user', content: `Part ${index + 1} of ${total}:\n\n${chunk}` },
  ];
}

/**
 * Reduce: summaries of consecutive parts combined. The final combination takes the requested shape; an
 * intermediate one (when the parts do not fit one call) stays detailed prose, like a chunk summary.
 */
export function combinePrompt(parts: string[], options: SummaryOptions, final: boolean): ChatMessage[] {
  const task = final
    ? `Combine them into one summary of the whole document. ${shapeRule(options)}`
    : `Combine them into one summary of these parts in at most ${Math.round(PART_MAX_TOKENS * 0.6)} words of plain prose.`;
  return [
    {
      role: 'system',
      content:
        `You are given summaries of consecutive parts of one document, in order. ${task} ${FAITHFUL} ` +
        languageRule(options.language),
    },
    { role: 'user', content: parts.map((part, i) => `Part ${i + 1}:\n${part}`).join('\n\n') },
  ];
}
