import { z } from 'zod';
import { AUTH_REASONS } from '../errors';
import type { adminSetupResultSchema } from './admin.schema';
import { auditEntrySchema } from './audit.schema';

/** What the API answers: the OpenAPI document describes these; serializers list the same fields. */
export const errorSchema = z.object({
  error: z.string(),
  message: z.string(),
  reason: z
    .enum(AUTH_REASONS)
    .optional()
    .describe(
      'With 401 unauthorized on an admin route: the rule the credential broke (docs/api.md, Authenticating admin requests).',
    ),
  details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  request_id: z.string().optional(),
});

const mailTemplateSchema = z.object({ subject: z.string(), text: z.string() });

export const applicationSchema = z.object({
  name: z.string(),
  access_ttl: z.string(),
  access_ttl_max: z.string(),
  refresh_ttl_max: z.string(),
  cors_origins: z.array(z.string()),
  audience: z.string().nullable(),
  mfa: z.enum(['off', 'optional', 'required']),
  signup: z.enum(['off', 'open', 'confirm']),
  recovery: z.enum(['off', 'on']),
  public_url: z.string().nullable(),
  mail_templates: z
    .object({ confirm: mailTemplateSchema, recover: mailTemplateSchema })
    .describe('The mails of a sign-up confirmation and a password reset, stored or default'),
  secret_version: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
  secret: z.string().optional(),
});

export const userSchema = z.object({
  uid: z.string(),
  app: z.string(),
  username: z.string(),
  role: z.string(),
  groups: z.array(z.string()),
  orgs: z.array(z.string()),
  disabled: z.boolean(),
  email: z.string().nullable(),
  created_at: z.string(),
  last_login: z.string().nullable(),
});

export const loginResultSchema = z.object({
  token: z.string(),
  refresh_token: z.string(),
  expires_in: z.number().int(),
  token_type: z.literal('Bearer'),
  username: z.string(),
  uid: z.string(),
  role: z.string(),
});

export const statusSchema = z.object({ status: z.string() });

/** A sign-up, or a confirmation or reset that named this account. */
export const accountSchema = z.object({ uid: z.string(), username: z.string() });

/** GET / for API clients: where the console, the API description and the health check are. */
export const indexSchema = z.object({ name: z.string(), console: z.string(), openapi: z.string(), health: z.string() });

export const groupSchema = z.object({ name: z.string(), app: z.string(), created_at: z.string() });

export const orgSchema = z.object({ name: z.string(), created_at: z.string() });

export const tokenSchema = z.object({ token: z.string() });

export const rotatedSchema = z.object({ token: z.string(), refresh_token: z.string(), expires_in: z.number().int() });

export const adminSessionSchema = z.object({ token: z.string(), expires_in: z.number().int() });

/** One live session of a user: a refresh family, from its login to its latest renewal. */
export const sessionSchema = z.object({
  id: z.string(),
  created_at: z.string(),
  last_used_at: z.string(),
  expires_at: z.string(),
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
});

/** One hour or one day of credential checks: its start (UTC) and what happened in it. */
export const statsBucketSchema = z.object({
  at: z.string().describe('The start of the bucket (ISO 8601, UTC)'),
  logins: z.number().int().describe('Successful logins of users (login, token.refresh)'),
  failures: z.number().int().describe('Refused logins of users: wrong password, unknown or disabled user'),
  lockouts: z.number().int().describe('Attempts refused by the brute-force limiter (429), every action'),
});

/** GET /stats: the console's home page. */
export const statsSchema = z.object({
  app: z.string().nullable().describe('The application the numbers are of; null for all of them'),
  users: z.number().int(),
  active_sessions: z.number().int().describe('Refresh families with a token neither spent, revoked nor expired'),
  hourly: z.array(statsBucketSchema).describe('The last 24 hours, oldest first; the last is the current hour'),
  daily: z.array(statsBucketSchema).describe('The last 7 days (UTC), oldest first; the last is today'),
  recent_security_events: z
    .array(auditEntrySchema)
    .describe('The newest lockouts, refresh-token reuses and secret reads, newest first (at most 10)'),
});

/**
 * The answers as TypeScript types, inferred from the schemas above: the serializers return them and
 * the console imports them (type-only), so each shape is declared once.
 */
export type ErrorResponse = z.infer<typeof errorSchema>;
export type ApplicationResponse = z.infer<typeof applicationSchema>;
export type UserResponse = z.infer<typeof userSchema>;
export type LoginResponse = z.infer<typeof loginResultSchema>;
export type GroupResponse = z.infer<typeof groupSchema>;
export type OrgResponse = z.infer<typeof orgSchema>;
export type AdminSessionResponse = z.infer<typeof adminSessionSchema>;
export type AdminSetupResponse = z.infer<typeof adminSetupResultSchema>;
export type SessionResponse = z.infer<typeof sessionSchema>;
export type AuditEntryResponse = z.infer<typeof auditEntrySchema>;
export type StatsBucket = z.infer<typeof statsBucketSchema>;
export type StatsResponse = z.infer<typeof statsSchema>;
