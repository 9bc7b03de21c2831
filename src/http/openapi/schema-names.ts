import type { z } from 'zod';
import * as admin from '../../schemas/admin.schema';
import * as applicationKey from '../../schemas/application-key.schema';
import * as application from '../../schemas/application.schema';
import * as audit from '../../schemas/audit.schema';
import * as common from '../../schemas/common.schema';
import * as group from '../../schemas/group.schema';
import * as mfa from '../../schemas/mfa.schema';
import * as responses from '../../schemas/responses.schema';
import * as stats from '../../schemas/stats.schema';
import * as token from '../../schemas/token.schema';
import * as user from '../../schemas/user.schema';
import * as webhook from '../../schemas/webhook.schema';

const MODULES = [admin, applicationKey, application, audit, common, group, mfa, responses, stats, token, user, webhook];

let names: Map<z.ZodType, string> | undefined;

/**
 * The component name of each schema the routes may use: its export name without `Schema`,
 * capitalised (`createApplicationSchema` is `CreateApplication`). One name per schema object.
 */
export function schemaNames(): Map<z.ZodType, string> {
  if (names) return names;
  names = new Map();
  for (const module of MODULES) {
    for (const [exported, value] of Object.entries(module)) {
      const isSchema = typeof value === 'object' && value !== null && '_zod' in value;
      if (!isSchema || !exported.endsWith('Schema') || names.has(value as z.ZodType)) continue;
      const name = exported.slice(0, -'Schema'.length);
      names.set(value as z.ZodType, name.charAt(0).toUpperCase() + name.slice(1));
    }
  }
  return names;
}
