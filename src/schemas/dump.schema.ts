import { z } from 'zod';
import { APP_KEY_SCOPES } from './application-key.schema';
import { plainText } from './common.schema';

/**
 * jawth's dump: JSON lines, a header first, then applications and their keys, orgs, groups and
 * users (with their memberships by name), then an `end` line with the counts, so that a cut file is noticed.
 * Sessions are never dumped. Row ids never appear: records refer to each other by name.
 */
export const DUMP_FORMAT = 'jawth-dump';
export const DUMP_VERSION = 1;

const timestamp = z.iso.datetime({ offset: true });
const seconds = z.number().int().positive();

export const dumpHeaderSchema = z.object({
  format: z.literal(DUMP_FORMAT),
  version: z.literal(DUMP_VERSION),
  exported_at: timestamp,
  app: z.string().nullable(),
});

export const applicationRecordSchema = z.object({
  type: z.literal('application'),
  name: plainText().min(1).max(63),
  secret: z.string().min(1).max(512),
  secret_version: z.number().int().positive(),
  previous_secret: z.string().max(512).nullable(),
  previous_secret_expires_at: timestamp.nullable(),
  refresh_secret: z.string().min(1).max(512),
  access_ttl: seconds,
  access_ttl_max: seconds,
  refresh_ttl_max: seconds,
  cors_origins: z.array(z.string()),
  audience: z.string().max(255).nullable(),
  /** Absent from dumps made before the second factor: `off`. */
  mfa: z.enum(['off', 'optional', 'required']).default('off'),
  /** Absent from dumps made before sign-up and recovery: `off`, no page, the default templates. */
  signup: z.enum(['off', 'open', 'confirm']).default('off'),
  recovery: z.enum(['off', 'on']).default('off'),
  public_url: z.string().max(2048).nullable().default(null),
  /** Only the templates set (null: the defaults). */
  mail_templates: z
    .object({
      confirm: z.object({ subject: z.string(), text: z.string() }).optional(),
      recover: z.object({ subject: z.string(), text: z.string() }).optional(),
    })
    .nullable()
    .default(null),
  created_at: timestamp,
  updated_at: timestamp,
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
  app: plainText().min(1).max(63),
  id: z.string().min(1).max(64),
  key_hash: z.string().regex(/^[0-9a-f]{64}$/),
  label: plainText().min(1).max(100),
  scopes: z.array(z.enum(APP_KEY_SCOPES)).min(1),
  created_at: timestamp,
});

export const orgRecordSchema = z.object({
  type: z.literal('org'),
  name: plainText().min(1).max(128),
  created_at: timestamp,
});

export const groupRecordSchema = z.object({
  type: z.literal('group'),
  app: plainText().min(1).max(63),
  name: plainText().min(1).max(128),
  created_at: timestamp,
});

export const userRecordSchema = z.object({
  type: z.literal('user'),
  app: plainText().min(1).max(63),
  uid: z.string().min(1).max(36),
  username: plainText().min(1).max(128),
  password_hash: z.string().min(1).max(100),
  role: plainText().min(1).max(64),
  disabled: z.boolean(),
  /** Absent from dumps made before e-mail addresses: none. */
  email: z.string().max(254).nullable().optional(),
  last_login_at: timestamp.nullable(),
  tokens_valid_after: timestamp.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
  groups: z.array(plainText()),
  orgs: z.array(plainText()),
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
