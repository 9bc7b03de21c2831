import { inTransaction } from '../../db/transaction';
import type { Store } from '../deps';
import { acceptableUsers, QUID_ADMIN_GROUP, type PlannedNamespace, type SkippedUser } from './quid-plan';
import type { QuidSource } from './quid-source';

export interface AdminOutcome {
  username: string;
  status: 'created' | 'replaced' | 'skipped_existing' | 'would_create' | 'would_replace';
}

/**
 * Quid's `quid` namespace holds its administrators: the members of `quid_admin` become jawth
 * admin accounts with their bcrypt hash as it is, so they sign in to the console unchanged.
 * The namespace itself is not an application.
 */
export async function importQuidAdmins(
  { db, models }: Pick<Store, 'db' | 'models'>,
  source: QuidSource,
  plan: PlannedNamespace,
  skipped: SkippedUser[],
  options: { dryRun?: boolean; replace?: boolean },
): Promise<AdminOutcome[]> {
  const adminGroup = (await source.groups(plan.namespace.id)).find((g) => g.name === QUID_ADMIN_GROUP);
  if (!adminGroup) return [];
  const memberIds = new Set(
    (await source.userGroups(plan.namespace.id)).filter((l) => l.targetId === adminGroup.id).map((l) => l.userId),
  );
  const admins = acceptableUsers(
    plan.namespace.name,
    (await source.users(plan.namespace.id)).filter((u) => memberIds.has(u.id)),
    skipped,
  );
  // A disabled Quid admin cannot sign in to Quid: it does not become a jawth admin either.
  const active = admins.filter((u) => !u.isDisabled);
  for (const u of admins.filter((a) => a.isDisabled)) {
    skipped.push({ app: plan.namespace.name, username: u.username, reason: 'disabled Quid admin' });
  }
  return inTransaction(db, async (transaction) => {
    const outcomes: AdminOutcome[] = [];
    for (const admin of active) {
      const existing = await models.AdminAccount.findOne({ where: { username: admin.username }, transaction });
      if (existing && !options.replace) {
        outcomes.push({ username: admin.username, status: 'skipped_existing' });
      } else if (options.dryRun) {
        outcomes.push({ username: admin.username, status: existing ? 'would_replace' : 'would_create' });
      } else if (existing) {
        await existing.update({ passwordHash: admin.password }, { transaction });
        outcomes.push({ username: admin.username, status: 'replaced' });
      } else {
        await models.AdminAccount.create({ username: admin.username, passwordHash: admin.password }, { transaction });
        outcomes.push({ username: admin.username, status: 'created' });
      }
    }
    return outcomes;
  });
}
