import crypto from 'node:crypto';

/** Standard Webhooks (standardwebhooks.com): secrets are `whsec_` and the base64 of the key. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** A fresh signing secret: 32 random bytes. */
export function newWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + crypto.randomBytes(32).toString('base64');
}

/**
 * The `webhook-signature` header: `v1,` and the base64 HMAC-SHA256, under the secret's key, of
 * `<webhook-id>.<webhook-timestamp>.<body>` (the body's exact bytes).
 */
export function signWebhook(secret: string, messageId: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
  const mac = crypto.createHmac('sha256', key).update(`${messageId}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}
