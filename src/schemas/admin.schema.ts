import { z } from 'zod';
import { loginPasswordSchema, loginUsernameSchema } from './common.schema';

export const adminLoginSchema = z.object({
  username: loginUsernameSchema.max(128),
  password: loginPasswordSchema,
});

/** First run (docs/api.md, first-run setup): the setup link's token and the first admin account's name and password. */
export const adminSetupSchema = z.object({
  token: z.string().min(1).max(256),
  // The account rules (name, password policy) are the service's, shared with `jawth init`.
  username: z.string().min(1).max(128),
  password: z.string().min(1).max(1024),
});

export const adminSetupResultSchema = z.object({ username: z.string() });

/** `GET /admin/account`: who this console session is, and whether its second factor is active. */
export const adminAccountSchema = z.object({ username: z.string(), mfa_active: z.boolean() });
