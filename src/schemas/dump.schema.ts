import { z } from 'zod';
import { APP_KEY_SCOPES } from './application-key.schema';
import { applicationFields, mailTemplatesSchema } from './application.schema';
import {
  appNameSchema,
  memberNamesSchema,
  passwordHashSchema,
  plainText,
  roleSchema,
  ttlSecondsSchema,
  usernameSchema,
} from './common.schema';
import { memberNameSchema } from './group.schema';
import { emailSchema } from './user.schema';

/**
 * jawth's dump: JSON lines, a header first, then applications and their keys, orgs, groups and
 * users (with their memberships by name), then an `end` line with the counts, so that a cut file is noticed.
 * Sessions are never dumped. Row ids never appear: records refer to each other by name.
 */
export const DUMP_FORMAT = 'jawth-dump';
export const DUMP_VERSION = 1;

const timestamp = z.iso.datetime({ offset: true });

// Every field a record writes goes through the API's own rule for it (application.schema,
// user.schema, common.schema), so an import cannot store what the API would refuse: a one-byte
// signing secret, a `javascript:` link, a username with `/`, a password hash nothing can check.

export const dumpHeaderSchema = z.object({
  format: z.literal(DUMP_FORMAT),
  version: z.literal(DUMP_VERSION),
  exported_at: timestamp,
  app: z.string().nullable(),
  /**
   * The application records carry their secrets in clear (sealed only in the database, each
   * server with its own SECRET_KEY): said here, for whoever finds the file. Absent from dumps
   * made before secrets were sealed, which carried them in clear too.
   */
  application_secrets: z.literal('in clear').optional(),
});

/** An application, its secrets in clear: the importing server seals them with its SECRET_KEY. */
export const applicationRecordSchema = z
  .object({
    type: z.literal('application'),
    name: appNameSchema,
    secret: applicationFields.secret,
    secret_version: z.number().int().positive(),
    previous_secret: applicationFields.secret.nullable(),
    previous_secret_expires_at: timestamp.nullable(),
    refresh_secret: applicationFields.secret,
    access_ttl: ttlSecondsSchema,
    access_ttl_max: ttlSecondsSchema,
    refresh_ttl_max: ttlSecondsSchema,
    cors_origins: applicationFields.cors_origins,
    audience: applicationFields.audience,
    /** Absent from dumps made before the second factor: `off`. */
    mfa: z.enum(['off', 'optional', 'required']).default('off'),
    /** Absent from dumps made before sign-up and recovery: `off`, no page, the default templates. */
    signup: z.enum(['off', 'open', 'confirm']).default('off'),
    recovery: z.enum(['off', 'on']).default('off'),
    public_url: applicationFields.public_url.default(null),
    /** Only the templates set (null: the defaults). */
    mail_templates: mailTemplatesSchema.nullable().default(null),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .refine((app) => app.access_ttl <= app.access_ttl_max, {
    path: ['access_ttl'],
    message: 'must not be longer than access_ttl_max',
  });

/**
 * A user's active second factor as stored: the TOTP secret still sealed with a key derived from
 * SECRET_KEY (so it works on a server with the same SECRET_KEY, and only there), the last time
 * step accepted (a code used before the move is not accepted after it), and the hashes of the
 * unused recovery codes.
 */
export const secondFactorRecordSchema = z.object({
  secret: z.string().min(1).max(1024),
  confirmed_at: timestamp,
  last_step: z.number().int().nonnegative().nullable(),
  recovery_code_hashes: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(100),
});

/** An application key as stored: its SHA-256 only, so the backends that hold the key keep working. */
export const applicationKeyRecordSchema = z.object({
  type: z.literal('application_key'),
  app: appNameSchema,
  id: z.string().min(1).max(64),
  key_hash: z.string().regex(/^[0-9a-f]{64}$/),
  label: plainText().trim().min(1).max(100),
  scopes: z.array(z.enum(APP_KEY_SCOPES)).min(1),
  created_at: timestamp,
});

export const orgRecordSchema = z.object({
  type: z.literal('org'),
  name: memberNameSchema,
  created_at: timestamp,
});

export const groupRecordSchema = z.object({
  type: z.literal('group'),
  app: appNameSchema,
  name: memberNameSchema,
  created_at: timestamp,
});

export const userRecordSchema = z.object({
  type: z.literal('user'),
  app: appNameSchema,
  uid: z.string().min(1).max(36),
  username: usernameSchema,
  password_hash: passwordHashSchema,
  role: roleSchema,
  disabled: z.boolean(),
  /** Absent from dumps made before e-mail addresses: none. */
  email: emailSchema.nullable().optional(),
  last_login_at: timestamp.nullable(),
  tokens_valid_after: timestamp.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
  groups: memberNamesSchema,
  orgs: memberNamesSchema,
  second_factor: secondFactorRecordSchema.nullable().optional(),
});

export const endRecordSchema = z.object({
  type: z.literal('end'),
  counts: z.object({
    applications: z.number().int(),
    orgs: z.number().int(),
    groups: z.number().int(),
    users: z.number().int(),
    /** Absent from dumps made before keys were dumped. */
    application_keys: z.number().int().default(0),
  }),
});

export const dumpRecordSchema = z.discriminatedUnion('type', [
  applicationRecordSchema,
  applicationKeyRecordSchema,
  orgRecordSchema,
  groupRecordSchema,
  userRecordSchema,
  endRecordSchema,
]);

export type DumpHeader = z.infer<typeof dumpHeaderSchema>;
export type ApplicationRecord = z.infer<typeof applicationRecordSchema>;
export type ApplicationKeyRecord = z.infer<typeof applicationKeyRecordSchema>;
export type OrgRecord = z.infer<typeof orgRecordSchema>;
export type GroupRecord = z.infer<typeof groupRecordSchema>;
export type UserRecord = z.infer<typeof userRecordSchema>;
export type SecondFactorRecord = z.infer<typeof secondFactorRecordSchema>;
export type DumpRecord = z.infer<typeof dumpRecordSchema>;
export type DumpCounts = z.infer<typeof endRecordSchema>['counts'];
