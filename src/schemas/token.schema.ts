import { z } from 'zod';
import { durationSchema } from './common.schema';

export const ttlParamsSchema = z.object({ ttl: durationSchema.optional() });

export const quidRefreshSchema = z.object({
  namespace: z.string().min(1).max(63),
  username: z.string().min(1).max(1024),
  password: z.string().min(1).max(1024),
});

export const quidAccessSchema = z.object({
  namespace: z.string().min(1).max(63),
  refresh_token: z.string().min(1).max(8192),
});

export const rotateRefreshSchema = z.object({ refresh_token: z.string().min(1).max(8192) });
