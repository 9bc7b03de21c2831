import { statsSchema } from '../../schemas/responses.schema';
import { statsQuerySchema } from '../../schemas/stats.schema';
import { readStats } from '../../services/stats.service';
import { defineRoute } from '../route';

/** The console's home page: what happened lately, from the audit log, and what is live now. */
export const statsRoutes = [
  defineRoute({
    method: 'get',
    path: '/stats',
    operationId: 'getStats',
    errors: ['application_not_found'],
    summary: 'Logins, failures and lockouts per hour (24) and day (7), users, live sessions and recent security events',
    tag: 'audit',
    auth: 'admin',
    query: statsQuerySchema,
    response: statsSchema,
    handle: ({ query, deps }) => readStats(query.app, deps),
  }),
];
