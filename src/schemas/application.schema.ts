import { z } from 'zod';
import { MFA_SETTINGS } from '../db/models/application.model';
import { appNameSchema, durationSchema, graceSchema, plainText } from './common.schema';

const secretSchema = plainText()
  .refine((secret) => Buffer.byteLength(secret, 'utf8') >= 32, 'must be at least 32 bytes (RFC 7518 §3.2)')
  .refine((secret) => Buffer.byteLength(secret, 'utf8') <= 512, 'must be at most 512 bytes');

const originSchema = z.string().refine((text) => {
  try {
    const url = new URL(text);
    return ['http:', 'https:'].includes(url.protocol) && url.origin === text;
  } catch {
    return false;
  }
}, 'must be an origin such as https://app.example.com');

const fields = {
  name: appNameSchema,
  secret: secretSchema,
  access_ttl: durationSchema,
  access_ttl_max: durationSchema,
  refresh_ttl_max: durationSchema,
  cors_origins: z.array(originSchema).max(100),
  audience: plainText().min(1).max(255).nullable(),
  /** Whether users log in with a second factor: `off`, `optional` (who enrolled) or `required` (all). */
  mfa: z.enum(MFA_SETTINGS),
};

export const createApplicationSchema = z.strictObject({
  ...fields,
  secret: fields.secret.optional(),
  access_ttl: fields.access_ttl.optional(),
  access_ttl_max: fields.access_ttl_max.optional(),
  refresh_ttl_max: fields.refresh_ttl_max.optional(),
  cors_origins: fields.cors_origins.optional(),
  audience: fields.audience.optional(),
  mfa: fields.mfa.optional(),
});
export type CreateApplicationInput = z.infer<typeof createApplicationSchema>;

export const updateApplicationSchema = z.strictObject(fields).partial();
export type UpdateApplicationInput = z.infer<typeof updateApplicationSchema>;

export const rotateSecretSchema = z.strictObject({
  grace: graceSchema.optional(),
  secret: secretSchema.optional(),
});
export type RotateSecretInput = z.infer<typeof rotateSecretSchema>;
