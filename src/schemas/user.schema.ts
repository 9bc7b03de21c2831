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

/** Optional, unique per application ignoring case. */
export const emailSchema = z.email('must be an e-mail address').max(254);

const fields = {
  username: usernameSchema,
  email: emailSchema.nullable(),
  password: passwordSchema,
  role: roleSchema,
  disabled: z.boolean(),
  groups: memberNamesSchema,
  orgs: memberNamesSchema,
};

export const createUserSchema = z.strictObject({
  username: fields.username,
  password: fields.password,
  email: fields.email.optional(),
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

/** `POST /:app/signup`: the password policy as elsewhere; `email` required when signup is `confirm`. */
export const signupSchema = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  email: emailSchema.optional(),
});

/** A one-use token of a confirmation or reset mail: 43 characters of base64url (32 bytes). */
export const accountTokenSchema = z.string().min(1).max(128);
export const confirmSchema = z.strictObject({ token: accountTokenSchema });

/** `POST /:app/recover`: the username or the e-mail address, exactly one. */
export const recoverSchema = z.union([
  z.strictObject({ username: loginUsernameSchema }),
  z.strictObject({ email: z.string().min(1).max(254) }),
]);
export type RecoverInput = z.infer<typeof recoverSchema>;

export const resetSchema = z.strictObject({ token: accountTokenSchema, password: passwordSchema });
