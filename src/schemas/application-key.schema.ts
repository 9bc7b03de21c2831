import { z } from 'zod';
import { APP_KEY_SCOPES } from '../shared/constants';
import { plainText } from './common.schema';

export { APP_KEY_SCOPES, type AppKeyScope } from '../shared/constants';

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
