import { z } from 'zod';

/** Group and org names: what a token's `groups` / `orgs` arrays carry. */
export const memberNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/,
    'must be 1-128 letters, digits, _ . : @ or -, starting with a letter or digit',
  );

export const createGroupSchema = z.strictObject({ name: memberNameSchema });
