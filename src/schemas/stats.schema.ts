import { z } from 'zod';
import { appNameSchema } from './common.schema';

/** GET /stats: one application's numbers, or (without `app`) every application's. */
export const statsQuerySchema = z.object({ app: appNameSchema.optional() });
