import { z } from 'zod';
import { WEBHOOK_EVENTS } from '../shared/constants';
import { plainText } from './common.schema';

export { WEBHOOK_EVENTS, WEBHOOK_TEST_EVENT, type WebhookEventType } from '../shared/constants';

const url = plainText()
  .trim()
  .max(2048)
  .refine((text) => {
    try {
      const parsed = new URL(text);
      return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL');

const events = z
  .array(z.enum(WEBHOOK_EVENTS))
  .min(1)
  .refine((list) => new Set(list).size === list.length, 'must not repeat an event');

export const createWebhookSchema = z.strictObject({ url, events });

export const updateWebhookSchema = z
  .strictObject({ url: url.optional(), events: events.optional(), disabled: z.boolean().optional() })
  .refine(
    (input) => input.url !== undefined || input.events !== undefined || input.disabled !== undefined,
    'give url, events or disabled',
  );

/** An endpoint as listed: never its secret. */
export const webhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  /** Turned off (by an admin, a 410 Gone, or failing for WEBHOOK_DISABLE_AFTER): nothing is queued or sent. */
  disabled: z.boolean(),
  disabled_at: z.string().nullable(),
  disabled_reason: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

/** The answer of a creation: the only time the signing secret is shown (`whsec_<base64>`). */
export const createdWebhookSchema = webhookSchema.extend({ secret: z.string() });

export const webhookAttemptSchema = z.object({
  at: z.string(),
  /** The receiver's HTTP status; null when it gave none (refused connection, timeout). */
  status_code: z.number().int().nullable(),
  error: z.string().nullable(),
  duration_ms: z.number().int(),
});

export const webhookDeliverySchema = z.object({
  /** The `webhook-id` header of every attempt. */
  id: z.string(),
  type: z.string(),
  /** `failed`: given up after 24 hours, or refused for good by the receiver (a 4xx); `skipped`: by an admin. */
  status: z.enum(['pending', 'delivered', 'failed', 'skipped']),
  created_at: z.string(),
  /** When the next attempt is due; null once delivered or given up. */
  next_attempt_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  attempts: z.array(webhookAttemptSchema),
});

export type CreateWebhookInput = z.infer<typeof createWebhookSchema>;
export type UpdateWebhookInput = z.infer<typeof updateWebhookSchema>;
export type WebhookResponse = z.infer<typeof webhookSchema>;
export type WebhookDeliveryResponse = z.infer<typeof webhookDeliverySchema>;
