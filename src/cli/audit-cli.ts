import os from 'node:os';
import pino from 'pino';
import { recordAudit, type AuditOutcome, type DATA_MOVE_ACTIONS } from '../services/audit.service';
import { systemClock, type Store } from '../services/deps';

/** Who ran a CLI command that changed or read the whole database: the operating-system user. */
function cliActor(): string {
  try {
    return `cli:${os.userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/**
 * Records one CLI data move (import, export) in the audit log. `detail` holds counts and names,
 * never a secret or a hash (the audit service scrubs such keys besides).
 */
export async function auditCli(
  store: Pick<Store, 'audit'>,
  action: (typeof DATA_MOVE_ACTIONS)[number],
  outcome: AuditOutcome,
  detail: Record<string, unknown>,
  app: string | null = null,
): Promise<void> {
  await recordAudit(
    { actor: cliActor(), action, outcome, app, detail },
    { audit: store.audit, clock: systemClock, logger: pino({ level: 'silent' }) },
  );
}
