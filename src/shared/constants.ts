/**
 * Names the server, the console (web/) and the tests share: plain values with no import, so that
 * the console can bundle them without any server code.
 */

/** What a webhook endpoint may subscribe to (docs/api.md, Webhooks). */
export const WEBHOOK_EVENTS = [
  'user.created',
  'user.updated',
  'user.disabled',
  'user.deleted',
  'user.password_changed',
  'user.locked_out',
  'session.revoked',
  'refresh_token.reused',
  'user.signup_confirmation_requested',
  'user.recovery_requested',
  'webhook.disabled',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** The type of what `POST .../webhooks/:id/test` sends, to that endpoint only. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';

/** What an application key may do on its application's user routes (docs/api.md, Application keys). */
export const APP_KEY_SCOPES = ['users:read', 'users:write', 'mfa:reset'] as const;
export type AppKeyScope = (typeof APP_KEY_SCOPES)[number];

/** An application's second factor: `off`, `optional`, or `required`. */
export const MFA_SETTINGS = ['off', 'optional', 'required'] as const;
export type MfaSetting = (typeof MFA_SETTINGS)[number];
/** Sign-up: `off`, `open`, or `confirm` (open, the account disabled until its e-mail is confirmed). */
export const SIGNUP_SETTINGS = ['off', 'open', 'confirm'] as const;
export type SignupSetting = (typeof SIGNUP_SETTINGS)[number];
/** Password recovery by mail: `off` or `on`. */
export const RECOVERY_SETTINGS = ['off', 'on'] as const;
export type RecoverySetting = (typeof RECOVERY_SETTINGS)[number];
