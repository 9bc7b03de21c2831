import type { AuditEntry } from '../api/types';
import { actionLabel } from './audit-action';

/**
 * A security event of the home page in words: what happened, and the details that tell who and
 * where. (No DOM here: the unit tests read this file.)
 */
export function describeSecurityEvent(entry: AuditEntry): { title: string; details: string } {
  const who = entry.target ? ` for ${entry.target}` : '';
  const from = entry.ip ? ` from ${entry.ip}` : '';
  if (entry.outcome === 'rate_limited') {
    const count = Number(entry.detail?.count ?? 1);
    const attempts = `${count} refused ${actionLabel(entry.action).toLowerCase()} attempt${count === 1 ? '' : 's'}`;
    return { title: 'Lockout', details: `${attempts}${who}${from}.` };
  }
  if (entry.outcome === 'overloaded') {
    const count = Number(entry.detail?.count ?? 1);
    const attempts = `${count} ${actionLabel(entry.action).toLowerCase()} attempt${count === 1 ? '' : 's'}`;
    return { title: 'Overloaded', details: `${attempts}${who}${from} refused while the password checks were full.` };
  }
  if (entry.action === 'refresh.reuse') {
    return {
      title: 'Refresh token reused',
      details: `A spent refresh token${who} came back: every session of its family was revoked.`,
    };
  }
  if (entry.action === 'application.read_secret') {
    const refused = entry.outcome === 'success' ? '' : ' (refused)';
    return { title: 'Secret read', details: `By ${entry.actor}${from}${refused}.` };
  }
  return { title: actionLabel(entry.action), details: `${entry.outcome}${who}${from}.` };
}
