import { auditQuerySchema } from '../../schemas/audit.schema';
import { auditEntrySchema } from '../../schemas/audit.schema';
import { listAudit, serializeAuditEntry } from '../../services/audit.service';
import { defineRoute } from '../route';

/** The audit log, newest first, filtered by application, action and time. */
export const auditRoutes = [
  defineRoute({
    method: 'get',
    path: '/audit',
    operationId: 'listAudit',
    summary: 'The audit log, newest first',
    tag: 'audit',
    auth: 'admin',
    query: auditQuerySchema,
    list: auditEntrySchema,
    async handle({ query, deps }) {
      const { rows, count } = await listAudit(query, deps);
      return { items: rows.map(serializeAuditEntry), total: count };
    },
  }),
];
