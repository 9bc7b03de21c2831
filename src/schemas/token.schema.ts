import { z } from 'zod';
import {
  durationSchema,
  loginAppNameSchema,
  loginPasswordSchema,
  loginUsernameSchema,
  plainText,
} from './common.schema';

export const ttlParamsSchema = z.object({ ttl: durationSchema.optional() });

export const quidRefreshSchema = z.object({
  namespace: loginAppNameSchema,
  username: loginUsernameSchema,
  password: loginPasswordSchema,
});

export const quidAccessSchema = z.object({
  namespace: plainText().min(1).max(63),
  refresh_token: z.string().min(1).max(8192),
});

export const rotateRefreshSchema = z.object({ refresh_token: z.string().min(1).max(8192) });
