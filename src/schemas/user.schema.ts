import { z } from 'zod';
import { memberNamesSchema, passwordSchema, roleSchema, usernameSchema } from './common.schema';

const fields = {
  username: usernameSchema,
  password: passwordSchema,
  role: roleSchema,
  disabled: z.boolean(),
  groups: memberNamesSchema,
  orgs: memberNamesSchema,
};

export const createUserSchema = z.strictObject({
  username: fields.username,
  password: fields.password,
  role: fields.role.optional(),
  groups: fields.groups.optional(),
  orgs: fields.orgs.optional(),
});
export type CreateUserInput = z.infer<typeof createUserSchema>;

/** `POST /users` names the application in the body. */
export const createAnyUserSchema = createUserSchema.extend({ app: z.string().min(1).max(63) });

export const updateUserSchema = z.strictObject(fields).partial();
export type UpdateUserInput = z.infer<typeof updateUserSchema>;

export const loginSchema = z.object({ username: z.string().min(1).max(1024), password: z.string().min(1).max(1024) });

export const changePasswordSchema = z.object({ password: passwordSchema, repeated_password: passwordSchema });
