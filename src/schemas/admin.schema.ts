import { z } from 'zod';
import { loginPasswordSchema, loginUsernameSchema } from './common.schema';

export const adminLoginSchema = z.object({
  username: loginUsernameSchema.max(128),
  password: loginPasswordSchema,
});
