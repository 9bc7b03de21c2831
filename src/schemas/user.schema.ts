import { z } from 'zod';
import {
  appNameSchema,
  loginAppNameSchema,
  loginPasswordSchema,
  loginUsernameSchema,
  memberNamesSchema,
  passwordSchema,
  roleSchema,
  usernameSchema,
} from './common.schema';

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
export const createAnyUserSchema = createUserSchema.extend({ app: appNameSchema });

export const updateUserSchema = z.strictObject(fields).partial();
export type UpdateUserInput = z.infer<typeof updateUserSchema>;

export const loginSchema = z.object({ username: loginUsernameSchema, password: loginPasswordSchema });

/** `/:app/login`: the application segment is checked before any query, and answers like an unknown one. */
export const loginParamsSchema = z.object({ app: loginAppNameSchema });

export const changePasswordSchema = z.object({ password: passwordSchema, repeated_password: passwordSchema });
