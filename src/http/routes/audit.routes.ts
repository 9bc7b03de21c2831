import { Router } from 'express';
import { auditQuerySchema } from '../../schemas/audit.schema';
import { listAudit, serializeAuditEntry } from '../../services/audit.service';
import type { Deps } from '../../services/deps';
import { adminAuth } from '../middleware/admin-auth';
import { sendList } from '../respond';
import { parse } from '../validate';

/** Contract §3.6: the audit log, newest first, filtered by app, action and time. */
export function auditRouter(deps: Deps): Router {
  const router = Router({ caseSensitive: true });
  router.get('/audit', adminAuth(deps), async (req, res) => {
    const { rows, count } = await listAudit(parse(auditQuerySchema, req.query), deps);
    sendList(res, rows.map(serializeAuditEntry), count);
  });
  return router;
}
