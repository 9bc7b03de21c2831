import { z } from 'zod';
import { plainText } from './common.schema';

/** What an application key may do on its application's user routes (docs/api.md, Application keys). */
export const APP_KEY_SCOPES = ['users:read', 'users:write', 'mfa:reset'] as const;
export type AppKeyScope = (typeof APP_KEY_SCOPES)[number];

export const createApplicationKeySchema = z.strictObject({
  label: plainText().trim().min(1).max(100),
  scopes: z
    .array(z.enum(APP_KEY_SCOPES))
    .min(1)
    .refine((scopes) => new Set(scopes).size === scopes.length, 'must not repeat a scope'),
});

/** A key as listed: never the key itself. */
export const applicationKeySchema = z.object({
  id: z.string(),
  label: z.string(),
  scopes: z.array(z.enum(APP_KEY_SCOPES)),
  created_at: z.string(),
});

/** The answer of a creation: the only time the key is shown. */
export const createdApplicationKeySchema = applicationKeySchema.extend({ key: z.string() });

export type CreateApplicationKeyInput = z.infer<typeof createApplicationKeySchema>;
export type ApplicationKeyResponse = z.infer<typeof applicationKeySchema>;
