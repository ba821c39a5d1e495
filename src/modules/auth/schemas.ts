// Input and output schemas of auth.*, exported for the client. Outputs list every field they may carry.
import { z } from 'zod';
import { API_SCOPES } from '../../db/schema/auth.js';
import { userRole } from '../../db/schema/users.js';
import { ZText, ZTimestamp } from '../../schemas/common.js';
import { isCommonPassword } from './common-passwords.js';

export const ZApiScope = z.enum(API_SCOPES);
export type ApiScope = z.infer<typeof ZApiScope>;

export const ZUsername = ZText.trim()
  .min(3, 'must be at least 3 characters')
  .max(50, 'must be at most 50 characters')
  .regex(/^[A-Za-z0-9_.-]+$/, 'may contain only letters, digits, "_", "." and "-"');

export const ZEmail = ZText.trim()
  .toLowerCase()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be a valid email address'));

export const ZNewPassword = ZText.min(8, 'must be at least 8 characters')
  .max(128, 'must be at most 128 characters')
  .refine((password) => !isCommonPassword(password), 'is too common; choose another');

/** Existing passwords are checked only for size: policy may have changed since they were set. */
const ZGivenPassword = ZText.min(1, 'is required').max(128, 'must be at most 128 characters');

export const ZRegisterInput = z.object({ username: ZUsername, email: ZEmail, password: ZNewPassword });
export const ZLoginInput = z.object({
  login: ZText.trim().min(1, 'is required').max(254),
  password: ZGivenPassword,
});
export const ZRefreshInput = z.object({ refreshToken: ZText.min(1).max(200) });

export const ZUserProfile = z.object({
  id: z.uuid(),
  username: z.string(),
  email: z.string(),
  displayName: z.string().nullable(),
  role: z.enum(userRole.enumValues),
  createdAt: ZTimestamp,
  settings: z.object({
    llmApiKeyConfigured: z.boolean(),
    llmApiKeyLast4: z.string().nullable(),
    llmBaseUrl: z.string().nullable(),
    preferredModel: z.string().nullable(),
    /** The model images are transcribed with; null: images cannot become documents. */
    visionModel: z.string().nullable(),
  }),
});
export type UserProfile = z.infer<typeof ZUserProfile>;

export const ZSessionOutput = z.object({
  user: ZUserProfile,
  accessToken: z.string(),
  accessTokenExpiresAt: ZTimestamp,
  refreshToken: z.string(),
  refreshTokenExpiresAt: ZTimestamp,
});
export type SessionOutput = z.infer<typeof ZSessionOutput>;

export const ZTokenPair = ZSessionOutput.omit({ user: true });

export const ZUpdateProfileInput = z
  .object({ username: ZUsername.optional(), displayName: ZText.trim().max(100).nullable().optional() })
  .refine((input) => Object.keys(input).length > 0, 'nothing to update');

export const ZChangePasswordInput = z.object({ current: ZGivenPassword, next: ZNewPassword });

export const ZUpdateSettingsInput = z
  .object({
    /** null clears the key. */
    llmApiKey: ZText.trim().min(8, 'looks too short for an API key').max(500).nullable().optional(),
    llmBaseUrl: ZText.max(500)
      .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }))
      .nullable()
      .optional(),
    preferredModel: ZText.trim().min(1).max(100).nullable().optional(),
    /** A vision-capable model of the same provider, e.g. gpt-4o-mini or qwen-vl-plus; null clears it. */
    visionModel: ZText.trim().min(1).max(100).nullable().optional(),
  })
  .refine((input) => Object.keys(input).length > 0, 'nothing to update');

export const ZCreateTokenInput = z.object({
  name: ZText.trim().min(1, 'is required').max(100),
  scopes: z.array(ZApiScope).min(1, 'name at least one scope').max(API_SCOPES.length),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

export const ZApiTokenOutput = z.object({
  id: z.uuid(),
  name: z.string(),
  tokenPrefix: z.string(),
  scopes: z.array(ZApiScope),
  createdAt: ZTimestamp,
  expiresAt: ZTimestamp.nullable(),
  lastUsedAt: ZTimestamp.nullable(),
  revokedAt: ZTimestamp.nullable(),
});
export type ApiTokenOutput = z.infer<typeof ZApiTokenOutput>;

export const ZCreateTokenOutput = z.object({
  token: ZApiTokenOutput,
  /** Shown once; only its hash is stored. */
  secret: z.string(),
});
