// Which model writes a summary: the user's own provider (key decrypted here, in the worker, only for the
// call), else the server's, else the built-in offline summariser.
import { unseal } from '../auth/secrets.js';
import { type Config, OPENAI_BASE_URL } from '../config.js';
import type { Db } from '../db/client.js';
import { AppError } from '../errors.js';
import { BUILTIN_MODEL } from '../llm/builtin-extractive.js';
import { findProviderSettings } from './summary-rows.js';

export interface ChosenProvider {
  /** Null for the built-in summariser. */
  endpoint: { baseURL: string; apiKey: string } | null;
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
  if (own && (own.apiKeySealed !== null || own.baseURL !== null)) {
    return {
      endpoint: {
        baseURL: own.baseURL ?? llm.server?.baseURL ?? OPENAI_BASE_URL,
        apiKey: own.apiKeySealed === null ? NO_KEY : unsealKey(sealKey, own.apiKeySealed),
      },
      model: requestedModel ?? own.preferredModel ?? llm.defaultModel,
    };
  }
  if (llm.server) {
    return {
      endpoint: { baseURL: llm.server.baseURL, apiKey: llm.server.apiKey ?? NO_KEY },
      model: requestedModel ?? own?.preferredModel ?? llm.defaultModel,
    };
  }
  if (requestedModel !== undefined) throw noProviderFor(requestedModel);
  return { endpoint: null, model: BUILTIN_MODEL };
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
  const own = await findProviderSettings(db, ownerId);
  if (own && (own.apiKeySealed !== null || own.baseURL !== null)) return;
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
