// @docrpc/client: the typed docrpc client. Only types come from the server, so no server code is bundled.
export type {
  AppCode,
  AppErrorData,
  AppRouter,
  DocrpcErrorShape,
  FileOutput,
  RouterInputs,
  RouterOutputs,
  TaskOutput,
  TokenPair,
} from './contract.js';
export { createDocrpcClient, type DocrpcClient, type DocrpcClientOptions } from './create-client.js';
export { type DocrpcError, isDocrpcError } from './errors.js';
export { createTokenStore, type DocrpcAuth, type TokenStorage, type TokenStore } from './tokens.js';
export type { UploadBody, UploadOptions, UploadProgress } from './upload.js';
export type { WatchTaskOptions } from './watch-task.js';
