import { inTransaction } from '../../db/transaction';
import { Op, type Sequelize, type Transaction } from 'sequelize';
import { randomId } from '../../crypto/random';
import { sealApplicationSecret } from '../../crypto/secret-box';
import type { Models } from '../../db/models';
import { APPLICATION_DEFAULTS } from '../application.service';
import type { Deps, Store } from '../deps';
import {
  acceptableUsers,
  planNamespaces,
  QUID_ADMIN_NAMESPACE,
  type PlannedNamespace,
  type SkippedUser,
} from './quid-plan';
import { parseQuidKey } from './quid-crypto';
import { importQuidAdmins, type AdminOutcome } from './quid-admins';
import { QuidSource, type QuidLink } from './quid-source';

export interface QuidImportOptions {
  /** postgres://… of the Quid database; only read. */
  from: string;
  /** The 64 hex characters of Quid's `key`. */
  quidKey: string;
  dryRun?: boolean;
  replace?: boolean;
  /** Put the applications' secrets in the report (the CLI's --show-secrets). */
  includeSecrets?: boolean;
  /** Runs once the keys are known to decrypt, before jawth's database is read or written (the CLI migrates here). */
  beforeWrite?: () => Promise<void>;
}

export type AppStatus = 'created' | 'replaced' | 'skipped_existing' | 'invalid' | 'would_create' | 'would_replace';

export interface AppOutcome {
  name: string;
  status: AppStatus;
  reason?: string;
  users: number;
  groups: number;
  group_memberships: number;
  org_memberships: number;
  access_ttl_max: number;
  refresh_ttl_max: number;
  secret?: string;
  refresh_secret?: string;
}

export interface QuidImportReport {
  dry_run: boolean;
  applications: AppOutcome[];
  orgs: { created: string[]; existing: string[] };
  admins: AdminOutcome[];
  skipped_users: SkippedUser[];
}

const BATCH = 1000;

/**
 * Moves a Quid installation into jawth: one application per namespace (keys kept as secrets so
 * that backends and unexpired tokens keep working), its users with their bcrypt hashes, groups
 * and memberships, and the global orgs. Each namespace is written in one transaction.
 */
export async function importQuid(
  deps: Pick<Deps, 'db' | 'models' | 'caches' | 'config'>,
  options: QuidImportOptions,
): Promise<QuidImportReport> {
  parseQuidKey(options.quidKey); // a mistyped key fails before any connection
  const source = await QuidSource.open(options.from);
  try {
    const planned = await planNamespaces(source, options.quidKey);
    await options.beforeWrite?.();
    const report: QuidImportReport = {
      dry_run: Boolean(options.dryRun),
      applications: [],
      orgs: { created: [], existing: [] },
      admins: [],
      skipped_users: [],
    };
    const orgIds = await importOrgs(deps, source, report, Boolean(options.dryRun));
    for (const plan of planned) {
      if (plan.namespace.name === QUID_ADMIN_NAMESPACE) {
        report.admins = await importQuidAdmins(deps, source, plan, report.skipped_users, options);
        continue;
      }
      report.applications.push(await importNamespace(deps, source, plan, orgIds, report, options));
    }
    return report;
  } finally {
    await source.close();
  }
}

/** Orgs are global: an org of the same name is reused, so memberships join it. */
async function importOrgs(
  { db, models }: Pick<Store, 'db' | 'models'>,
  source: QuidSource,
  report: QuidImportReport,
  dryRun: boolean,
) {
  const { Org } = models;
  const quidOrgs = await source.orgs();
  const names = [...new Set(quidOrgs.map((o) => o.name))];
  const existing = await Org.findAll({ where: { name: { [Op.in]: names } }, attributes: ['id', 'name'] });
  const idByName = new Map(existing.map((o) => [o.name, o.id]));
  report.orgs.existing = names.filter((n) => idByName.has(n));
  report.orgs.created = names.filter((n) => !idByName.has(n));
  if (!dryRun && report.orgs.created.length > 0) {
    await inTransaction(db, async (transaction) => {
      await Org.bulkCreate(
        report.orgs.created.map((name) => ({ name })),
        { transaction },
      );
      const rows = await Org.findAll({ where: { name: { [Op.in]: report.orgs.created } }, transaction });
      for (const row of rows) idByName.set(row.name, row.id);
    });
  }
  return new Map(quidOrgs.map((o) => [o.id, idByName.get(o.name)]));
}

async function importNamespace(
  { db, models, caches, config }: Pick<Deps, 'db' | 'models' | 'caches' | 'config'>,
  source: QuidSource,
  plan: PlannedNamespace,
  orgIds: Map<number, number | undefined>,
  report: QuidImportReport,
  options: QuidImportOptions,
): Promise<AppOutcome> {
  const name = plan.namespace.name;
  const outcome: AppOutcome = {
    name,
    status: 'invalid',
    users: 0,
    groups: 0,
    group_memberships: 0,
    org_memberships: 0,
    access_ttl_max: plan.accessTtlMax,
    refresh_ttl_max: plan.refreshTtlMax,
    ...(options.includeSecrets ? { secret: plan.secret, refresh_secret: plan.refreshSecret } : {}),
  };
  if (plan.problem) return { ...outcome, reason: plan.problem };
  const { Application } = models;
  const exists = (await Application.count({ where: { name } })) > 0;
  if (exists && !options.replace) {
    return { ...outcome, status: 'skipped_existing', reason: 'an application of this name exists (--replace)' };
  }
  const users = acceptableUsers(name, await source.users(plan.namespace.id), report.skipped_users);
  const groups = await source.groups(plan.namespace.id);
  const userIds = new Set(users.map((u) => u.id));
  const groupLinks = (await source.userGroups(plan.namespace.id)).filter((l) => userIds.has(l.userId));
  const orgLinks = (await source.userOrgs(plan.namespace.id)).filter((l) => userIds.has(l.userId));
  Object.assign(outcome, {
    users: users.length,
    groups: groups.length,
    group_memberships: groupLinks.length,
    org_memberships: orgLinks.length,
  });
  if (options.dryRun) return { ...outcome, status: exists ? 'would_replace' : 'would_create' };

  await inTransaction(db, async (transaction) => {
    // Users, groups, memberships and sessions of the replaced application go with it (cascade).
    if (exists) await Application.destroy({ where: { name }, transaction });
    const app = await Application.create(
      {
        name,
        secret: sealApplicationSecret(plan.secret, config.secretKey),
        previousSecret: null,
        previousSecretExpiresAt: null,
        refreshSecret: sealApplicationSecret(plan.refreshSecret, config.secretKey),
        accessTtl: Math.min(APPLICATION_DEFAULTS.accessTtl, plan.accessTtlMax),
        accessTtlMax: plan.accessTtlMax,
        refreshTtlMax: plan.refreshTtlMax,
        corsOrigins: '[]',
        audience: null,
      },
      { transaction },
    );
    const groupIds = await insertGroups(models, app.id, groups, transaction);
    const jawthUserIds = await insertUsers(models, app.id, users, transaction);
    await insertLinks(db, 'user_groups', 'group_id', groupLinks, jawthUserIds, groupIds, transaction);
    await insertLinks(db, 'user_orgs', 'org_id', orgLinks, jawthUserIds, orgIds, transaction);
  });
  caches.applications.forget(name);
  return { ...outcome, status: exists ? 'replaced' : 'created' };
}

async function insertGroups(
  { Group }: Pick<Models, 'Group'>,
  applicationId: number,
  groups: { id: number; name: string }[],
  transaction: Transaction,
) {
  const names = [...new Set(groups.map((g) => g.name))];
  await Group.bulkCreate(
    names.map((name) => ({ applicationId, name })),
    { transaction },
  );
  const rows = await Group.findAll({ where: { applicationId }, attributes: ['id', 'name'], transaction });
  const idByName = new Map(rows.map((g) => [g.name, g.id]));
  return new Map(groups.map((g) => [g.id, idByName.get(g.name)]));
}

/** Hashes are kept as they are: jawth accepts any bcrypt cost and re-hashes at the next login. */
async function insertUsers(
  { User }: Pick<Models, 'User'>,
  applicationId: number,
  users: { id: number; username: string; password: string; isDisabled: boolean; dateCreated: Date | null }[],
  transaction: Transaction,
) {
  for (let i = 0; i < users.length; i += BATCH) {
    const rows = users.slice(i, i + BATCH).map((u) => ({
      uid: randomId(),
      applicationId,
      username: u.username,
      passwordHash: u.password,
      disabled: u.isDisabled,
      lastLoginAt: null,
      tokensValidAfter: null,
      ...(u.dateCreated ? { createdAt: u.dateCreated } : {}),
    }));
    await User.bulkCreate(rows, { transaction });
  }
  const rows = await User.findAll({ where: { applicationId }, attributes: ['id', 'username'], transaction, raw: true });
  const idByName = new Map(rows.map((u) => [u.username, u.id]));
  return new Map(users.map((u) => [u.id, idByName.get(u.username)]));
}

async function insertLinks(
  db: Sequelize,
  table: 'user_groups' | 'user_orgs',
  column: 'group_id' | 'org_id',
  links: QuidLink[],
  userIds: Map<number, number | undefined>,
  targetIds: Map<number, number | undefined>,
  transaction: Transaction,
) {
  const seen = new Set<string>();
  const rows: Record<string, number>[] = [];
  for (const link of links) {
    const userId = userIds.get(link.userId);
    const targetId = targetIds.get(link.targetId);
    const key = `${userId}:${targetId}`;
    if (userId === undefined || targetId === undefined || seen.has(key)) continue;
    seen.add(key);
    rows.push({ user_id: userId, [column]: targetId });
  }
  const queryInterface = db.getQueryInterface();
  for (let i = 0; i < rows.length; i += BATCH) {
    await queryInterface.bulkInsert(table, rows.slice(i, i + BATCH), { transaction });
  }
}
