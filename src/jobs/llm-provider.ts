// Which model does LLM work: the user's own provider (key decrypted here, in the worker, only for the call),
// else the server's, else (summaries only) the built-in offline summariser.
import { unseal } from '../auth/secrets.js';
import { type Config, OPENAI_BASE_URL } from '../config.js';
import type { Db } from '../db/client.js';
import { AppError } from '../errors.js';
import { BUILTIN_MODEL } from '../llm/builtin-extractive.js';
import { findProviderSettings } from './summary-rows.js';

interface Endpoint {
  baseURL: string;
  apiKey: string;
}

export interface ChosenProvider {
  /** Null for the built-in summariser. */
  endpoint: Endpoint | null;
  model: string;
}

/** What local servers (Ollama, vLLM) get when no key is configured: the SDK insists on sending one. */
const NO_KEY = 'none';

export async function chooseProvider(
  db: Db,
  llm: Config['llm'],
  sealKey: Buffer,
  ownerId: string,
  requestedModel: string | undefined,
): Promise<ChosenProvider> {
  if (requestedModel === BUILTIN_MODEL) return { endpoint: null, model: BUILTIN_MODEL };
  const own = await findProviderSettings(db, ownerId);
  const endpoint = endpointFor(own, llm, sealKey);
  if (!endpoint) {
    if (requestedModel !== undefined) throw noProviderFor(requestedModel);
    return { endpoint: null, model: BUILTIN_MODEL };
  }
  return { endpoint, model: requestedModel ?? own?.preferredModel ?? llm.defaultModel };
}

/**
 * The endpoint and vision-capable model that turn an image into text: the user's own (their provider and
 * `visionModel`), else the server's (`LLM_VISION_MODEL`); undefined when there is none.
 */
export async function chooseVisionProvider(
  db: Db,
  llm: Config['llm'],
  sealKey: Buffer,
  ownerId: string,
): Promise<{ endpoint: Endpoint; model: string } | undefined> {
  const own = await findProviderSettings(db, ownerId);
  const endpoint = endpointFor(own, llm, sealKey);
  const model = hasOwnProvider(own) ? own?.visionModel : llm.visionModel;
  return endpoint && model ? { endpoint, model } : undefined;
}

type ProviderSettings = Awaited<ReturnType<typeof findProviderSettings>>;

const hasOwnProvider = (own: ProviderSettings) =>
  own !== undefined && (own.apiKeySealed !== null || own.baseURL !== null);

function endpointFor(own: ProviderSettings, llm: Config['llm'], sealKey: Buffer): Endpoint | null {
  if (own && hasOwnProvider(own)) {
    return {
      baseURL: own.baseURL ?? llm.server?.baseURL ?? OPENAI_BASE_URL,
      apiKey: own.apiKeySealed === null ? NO_KEY : unsealKey(sealKey, own.apiKeySealed),
    };
  }
  return llm.server ? { baseURL: llm.server.baseURL, apiKey: llm.server.apiKey ?? NO_KEY } : null;
}

/**
 * Refuses, before a task exists, a model named when no provider is configured anywhere (the worker would
 * refuse it too; settings may change in between).
 */
export async function assertModelAvailable(
  db: Db,
  llm: Config['llm'],
  ownerId: string,
  requestedModel: string | undefined,
): Promise<void> {
  if (requestedModel === undefined || requestedModel === BUILTIN_MODEL || llm.server) return;
  if (hasOwnProvider(await findProviderSettings(db, ownerId))) return;
  throw noProviderFor(requestedModel);
}

function noProviderFor(model: string): AppError {
  return new AppError(
    'VALIDATION_ERROR',
    `No LLM provider is configured, so model "${model}" cannot be used: set an API key with auth.updateSettings, or leave model out for the built-in summariser`,
    { fieldErrors: { model: ['needs an LLM provider; none is configured'] } },
  );
}

/** A key sealed under another JWT_SECRET (rotated since) cannot be opened: the user must enter it again. */
function unsealKey(sealKey: Buffer, sealed: string): string {
  try {
    return unseal(sealKey, sealed);
  } catch {
    throw new AppError(
      'API_KEY_INVALID',
      'Your stored LLM API key can no longer be read (the server secret changed): set it again with auth.updateSettings',
    );
  }
}
