/**
 * The console's own types. The shapes the API answers are declared once, as zod schemas in
 * src/schemas/responses.schema.ts; the console imports their inferred types (type-only, so no
 * server code is bundled).
 */
export type {
  AdminSessionResponse as AdminSession,
  AdminSetupResponse as AdminSetup,
  ApplicationResponse as Application,
  AuditEntryResponse as AuditEntry,
  ErrorResponse,
  GroupResponse as Group,
  OrgResponse as Org,
  SessionResponse as UserSession,
  StatsBucket,
  StatsResponse as Stats,
  UserResponse as User,
} from '../../../src/schemas/responses.schema';
export type {
  AppKeyScope,
  ApplicationKeyResponse as ApplicationKey,
  CreateApplicationKeyInput as ApplicationKeyInput,
} from '../../../src/schemas/application-key.schema';
export type {
  CreateWebhookInput as WebhookInput,
  UpdateWebhookInput as WebhookChange,
  WebhookDeliveryResponse as WebhookDelivery,
  WebhookEventType,
  WebhookResponse as Webhook,
} from '../../../src/schemas/webhook.schema';

import type { ApplicationResponse as Application, ErrorResponse } from '../../../src/schemas/responses.schema';

/** What a create or an edit of an application sends; fields left out keep their value. */
export interface ApplicationInput {
  name?: string;
  access_ttl?: string;
  access_ttl_max?: string;
  refresh_ttl_max?: string;
  cors_origins?: string[];
  audience?: string | null;
  mfa?: Application['mfa'];
  signup?: Application['signup'];
  recovery?: Application['recovery'];
  public_url?: string | null;
  mail_templates?: Partial<Application['mail_templates']>;
}

/** `/admin/login` of an account with a second factor: a code completes it at /admin/login/mfa. */
export interface MfaChallenge {
  mfa_required: true;
  mfa_token: string;
}

/** A factor being enrolled: its secret as text, as an otpauth URI and as a QR code (SVG). */
export interface MfaEnrolment {
  secret: string;
  otpauth_uri: string;
  qr_svg: string;
}

/** The account of this console session. */
export interface AdminAccount {
  username: string;
  mfa_active: boolean;
}

export interface UserInput {
  username?: string;
  password?: string;
  email?: string | null;
  role?: string;
  disabled?: boolean;
  groups?: string[];
  orgs?: string[];
}

/** What the lists of groups and orgs show: anything with a name. */
export interface Named {
  name: string;
}

/** One page of a list: its items and the X-Total-Count of the whole list. */
export interface Page<T> {
  items: T[];
  total: number;
}

/** One per-field problem of a `validation_failed` answer. */
export type FieldProblem = NonNullable<ErrorResponse['details']>[number];

/** Filters of GET /audit; empty ones are left out. */
export interface AuditFilter {
  app?: string;
  action?: string;
  /** Entries at or after this time; a Date is sent as ISO 8601 (UTC). */
  since?: Date | string;
  limit: number;
  offset: number;
}
