// What an API token can be allowed to do. A procedure names the scope it needs in its meta.
export const API_SCOPES = [
  'profile:read',
  'files:read',
  'files:write',
  'documents:read',
  'documents:write',
  'tasks:read',
  'tasks:write',
] as const;

export type ApiScope = (typeof API_SCOPES)[number];
