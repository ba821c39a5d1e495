// Input and output schemas of admin.*.
import { z } from 'zod';
import { userRole } from '../../db/schema/users.js';
import { ZTimestamp } from '../../schemas/common.js';

export const ZAdminUser = z.object({
  id: z.uuid(),
  username: z.string(),
  email: z.string(),
  role: z.enum(userRole.enumValues),
  disabled: z.boolean(),
  createdAt: ZTimestamp,
});

export const ZListUsersInput = z.object({
  cursor: z.uuid().optional(),
  limit: z.number().int().min(1).max(100).default(50),
});

export const ZListUsersOutput = z.object({ items: z.array(ZAdminUser), nextCursor: z.uuid().nullable() });

export const ZSetDisabledInput = z.object({ userId: z.uuid(), disabled: z.boolean() });
