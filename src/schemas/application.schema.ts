import { z } from 'zod';
import { MFA_SETTINGS, RECOVERY_SETTINGS, SIGNUP_SETTINGS } from '../shared/constants';
import { CONTROL_CHARACTER, appNameSchema, durationSchema, graceSchema, plainText } from './common.schema';

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

/** The page mails link to: an http(s) URL without a fragment (the token is appended as `#token=`). */
const publicUrlSchema = z
  .string()
  .max(2048)
  .refine((text) => {
    try {
      const url = new URL(text);
      return ['http:', 'https:'].includes(url.protocol) && url.hash === '' && !text.includes('#');
    } catch {
      return false;
    }
  }, 'must be an http(s) URL without a fragment, such as https://app.example.com/account');

/** A text mail: a one-line subject and a body naming {{link}} (also {{username}} and {{app}}). */
const mailTemplateSchema = z.strictObject({
  subject: plainText().min(1).max(200),
  text: z
    .string()
    .min(1)
    .max(10000)
    .refine(
      (text) => !CONTROL_CHARACTER.test(text.replace(/[\n\r\t]/g, '')),
      'must not contain control characters other than line breaks and tabs',
    )
    .refine((text) => text.includes('{{link}}'), 'must contain {{link}}'),
});

/**
 * The confirmation mail goes to an address nobody has proved to own: no text the requester chose,
 * so no {{username}} (docs/api.md, Sign-up, confirmation and recovery).
 */
const confirmTemplateSchema = mailTemplateSchema.superRefine((template, ctx) => {
  for (const field of ['subject', 'text'] as const) {
    if (template[field].includes('{{username}}'))
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: 'must not contain {{username}}: the confirmation mail carries nothing the person signing up chose',
      });
  }
});

export const mailTemplatesSchema = z.strictObject({
  confirm: confirmTemplateSchema.optional(),
  recover: mailTemplateSchema.optional(),
});
export type MailTemplatesInput = z.infer<typeof mailTemplatesSchema>;

/** The API's rule for each field, shared with every import (a dump's application records). */
export const applicationFields = {
  name: appNameSchema,
  secret: secretSchema,
  access_ttl: durationSchema,
  access_ttl_max: durationSchema,
  refresh_ttl_max: durationSchema,
  cors_origins: z.array(originSchema).max(100),
  audience: plainText().min(1).max(255).nullable(),
  /** Whether users log in with a second factor: `off`, `optional` (who enrolled) or `required` (all). */
  mfa: z.enum(MFA_SETTINGS),
  /** docs/api.md, Sign-up, confirmation and recovery. */
  signup: z.enum(SIGNUP_SETTINGS),
  recovery: z.enum(RECOVERY_SETTINGS),
  public_url: publicUrlSchema.nullable(),
  /** The templates given replace the stored ones; a template not given keeps its value. */
  mail_templates: mailTemplatesSchema,
};

export const createApplicationSchema = z.strictObject({
  ...applicationFields,
  secret: applicationFields.secret.optional(),
  access_ttl: applicationFields.access_ttl.optional(),
  access_ttl_max: applicationFields.access_ttl_max.optional(),
  refresh_ttl_max: applicationFields.refresh_ttl_max.optional(),
  cors_origins: applicationFields.cors_origins.optional(),
  audience: applicationFields.audience.optional(),
  mfa: applicationFields.mfa.optional(),
  signup: applicationFields.signup.optional(),
  recovery: applicationFields.recovery.optional(),
  public_url: applicationFields.public_url.optional(),
  mail_templates: applicationFields.mail_templates.optional(),
});
export type CreateApplicationInput = z.infer<typeof createApplicationSchema>;

export const updateApplicationSchema = z.strictObject(applicationFields).partial();
export type UpdateApplicationInput = z.infer<typeof updateApplicationSchema>;

export const rotateSecretSchema = z.strictObject({
  grace: graceSchema.optional(),
  secret: secretSchema.optional(),
});
export type RotateSecretInput = z.infer<typeof rotateSecretSchema>;
