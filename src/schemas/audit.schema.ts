import { z } from 'zod';
import { paginationSchema, plainText } from './common.schema';

export const auditQuerySchema = paginationSchema.extend({
  app: plainText().min(1).max(63).optional(),
  action: plainText().min(1).max(64).optional(),
  since: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time' }).optional(),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const auditEntrySchema = z.object({
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  app: z.string().nullable(),
  target: z.string().nullable(),
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  outcome: z.string(),
  detail: z.record(z.string(), z.unknown()).nullable(),
});
