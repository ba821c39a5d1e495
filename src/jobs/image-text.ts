// document.extract for PNG and JPEG: the text comes from a vision-capable model, when the user or the server
// has one; otherwise the image is refused with the reason. The tokens it costs count like a summary's.
import type { Readable } from 'node:stream';
import { AppError } from '../errors.js';
import { guessLanguage } from '../extraction/language.js';
import type { ExtractedText } from '../extraction/outcome.js';
import { searchTokens } from '../extraction/search-tokens.js';
import { countWords } from '../extraction/words.js';
import { createOpenAiChatModel } from '../llm/openai-chat-model.js';
import { transcribeImage } from '../llm/vision.js';
import type { TaskDeps } from './define-task.js';
import { chooseVisionProvider } from './llm-provider.js';
import { recordUsage } from './summary-rows.js';

export const IMAGE_TYPES = new Set(['image/png', 'image/jpeg']);

/** OpenAI and DashScope take images up to 20 MB; base64 in the request adds a third. */
const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

export async function imageText(
  deps: TaskDeps,
  ownerId: string,
  file: { mime: string; size: number },
  read: () => Promise<Readable>,
  signal: AbortSignal,
): Promise<ExtractedText> {
  const vision = await chooseVisionProvider(deps.db, deps.llm, deps.sealKey, ownerId);
  if (!vision) {
    throw new AppError(
      'FILE_TYPE_INVALID',
      `Text can be extracted from ${file.mime} images only by a vision-capable model, and none is configured: set visionModel (with an LLM provider) in auth.updateSettings`,
    );
  }
  if (file.size > MAX_IMAGE_BYTES) {
    throw new AppError(
      'FILE_TYPE_INVALID',
      `The image is larger than the ${MAX_IMAGE_BYTES / 1024 / 1024} MiB a vision model accepts`,
    );
  }
  const bytes = Buffer.concat(await (await read()).toArray());
  const chat = createOpenAiChatModel({
    ...vision.endpoint,
    model: vision.model,
    timeoutMs: deps.llm.timeoutMs,
    maxRetries: deps.llm.maxRetries,
  });
  const answer = await transcribeImage(chat, { bytes, mime: file.mime }, signal);
  await recordUsage(deps.db, ownerId, vision.model, { ...answer.usage, calls: 1 });
  if (answer.empty) throw new AppError('FILE_TYPE_INVALID', 'The vision model found no text in the image');
  // A transcription is a few thousand tokens at most: its search tokens are cheap enough here.
  const { text } = answer;
  return {
    text,
    pages: null,
    words: countWords(text),
    language: guessLanguage(text),
    searchTokens: searchTokens(text),
  };
}
