// One call to a chat model, whatever serves it: the seam between map-reduce and a provider.

/** A part of a user message beside its text: an image, for vision-capable models. */
export type ChatContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string } };

export type ChatMessage =
  | { role: 'system' | 'assistant'; content: string }
  | { role: 'user'; content: string | ChatContentPart[] };

/** The text of a message, image parts left out. */
export function textOf(message: ChatMessage): string {
  if (typeof message.content === 'string') return message.content;
  return message.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface ChatCompletion {
  text: string;
  usage: ChatUsage;
}

export interface ChatCallOptions {
  /** Aborting rejects the call with the signal's reason and closes its HTTP request. */
  signal?: AbortSignal;
  maxTokens: number;
  /** Each piece of streamed text as it arrives. */
  onDelta?(text: string): void;
  /** The text streamed so far is void: the stream broke off and the call starts again. */
  onRestart?(): void;
}

export interface ChatModel {
  /** The model's name as the provider knows it (recorded with each summary). */
  model: string;
  complete(messages: ChatMessage[], options: ChatCallOptions): Promise<ChatCompletion>;
}

export const addUsage = (a: ChatUsage, b: ChatUsage): ChatUsage => ({
  promptTokens: a.promptTokens + b.promptTokens,
  completionTokens: a.completionTokens + b.completionTokens,
});

export const NO_USAGE: ChatUsage = { promptTokens: 0, completionTokens: 0 };
