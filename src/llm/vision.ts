// Text from an image (a scan, a photo of a page, a screenshot) through a vision-capable chat model: the only
// way PNG and JPEG files become documents, since the server runs no OCR of its own.
import type { ChatCompletion, ChatModel } from './chat-model.js';

/** What the model is told to answer when the image holds no text, so "no text" is not taken for text. */
export const NO_TEXT_ANSWER = 'NO_TEXT_FOUND';

/** Longest transcription asked for: a dense page is about 1,000 words. */
const TRANSCRIPTION_MAX_TOKENS = 4096;

export async function transcribeImage(
  chat: ChatModel,
  image: { bytes: Uint8Array; mime: string },
  signal: AbortSignal,
): Promise<ChatCompletion & { empty: boolean }> {
  const url = `data:${image.mime};base64,${Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength).toString('base64')}`;
  const answer = await chat.complete(
    [
      {
        role: 'system',
        content:
          'You transcribe the text in images. Answer with the text exactly as written, in reading order, ' +
          'keeping paragraphs and list items on their own lines. Do not describe, summarise or translate. ' +
          `If the image contains no text, answer ${NO_TEXT_ANSWER} and nothing else.`,
      },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Transcribe the text in this image.' },
          { type: 'image_url', image_url: { url } },
        ],
      },
    ],
    { signal, maxTokens: TRANSCRIPTION_MAX_TOKENS },
  );
  const text = answer.text.trim();
  return { ...answer, text, empty: text === '' || text === NO_TEXT_ANSWER };
}
