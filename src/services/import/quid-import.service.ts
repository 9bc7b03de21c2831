import { randomId } from '../../crypto/random';
import { sealApplicationSecret } from '../../crypto/secret-box';
import { importWriter, inImportTransaction, type ImportWriter, type MembershipTable } from '../../db/import-writer';
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
  store: Pick<Store, 'db' | 'models'>,
  source: QuidSource,
  report: QuidImportReport,
  dryRun: boolean,
) {
  const quidOrgs = await source.orgs();
  const names = [...new Set(quidOrgs.map((o) => o.name))];
  const idByName = await importWriter(store).orgIds(names);
  report.orgs.existing = names.filter((n) => idByName.has(n));
  report.orgs.created = names.filter((n) => !idByName.has(n));
  if (!dryRun && report.orgs.created.length > 0) {
    await inImportTransaction(store, async (writer) => {
      await writer.insertOrgs(report.orgs.created.map((name) => ({ name })));
      for (const [name, id] of await writer.orgIds(report.orgs.created)) idByName.set(name, id);
    });
  }
  return new Map(quidOrgs.map((o) => [o.id, idByName.get(o.name)]));
}

async function importNamespace(
  store: Pick<Deps, 'db' | 'models' | 'caches' | 'config'>,
  source: QuidSource,
  plan: PlannedNamespace,
  orgIds: Map<number, number | undefined>,
  report: QuidImportReport,
  options: QuidImportOptions,
): Promise<AppOutcome> {
  const { caches, config } = store;
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
  const exists = (await importWriter(store).applicationId(name)) !== undefined;
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

  await inImportTransaction(store, async (writer) => {
    // Users, groups, memberships and sessions of the replaced application go with it (cascade).
    if (exists) await writer.removeApplication(name);
    const applicationId = await writer.createApplication({
      name,
      secret: sealApplicationSecret(plan.secret, config.secretKey),
      previousSecret: null,
      previousSecretExpiresAt: null,
      refreshSecret: sealApplicationSecret(plan.refreshSecret, config.secretKey),
      accessTtl: Math.min(APPLICATION_DEFAULTS.accessTtl, plan.accessTtlMax),
      accessTtlMax: plan.accessTtlMax,
      refreshTtlMax: plan.refreshTtlMax,
      corsOrigins: [],
      audience: null,
    });
    const groupIds = await insertGroups(writer, applicationId, groups);
    const jawthUserIds = await insertUsers(writer, applicationId, users);
    await insertLinks(writer, 'user_groups', 'group_id', groupLinks, jawthUserIds, groupIds);
    await insertLinks(writer, 'user_orgs', 'org_id', orgLinks, jawthUserIds, orgIds);
  });
  caches.applications.forget(name);
  return { ...outcome, status: exists ? 'replaced' : 'created' };
}

async function insertGroups(writer: ImportWriter, applicationId: number, groups: { id: number; name: string }[]) {
  const names = [...new Set(groups.map((g) => g.name))];
  await writer.insertGroups(
    applicationId,
    names.map((name) => ({ name })),
  );
  const idByName = await writer.groupIds(applicationId);
  return new Map(groups.map((g) => [g.id, idByName.get(g.name)]));
}

/** Hashes are kept as they are: jawth accepts any bcrypt cost and re-hashes at the next login. */
async function insertUsers(
  writer: ImportWriter,
  applicationId: number,
  users: { id: number; username: string; password: string; isDisabled: boolean; dateCreated: Date | null }[],
) {
  const idByName = await writer.insertUsers(
    applicationId,
    users.map((u) => ({
      uid: randomId(),
      username: u.username,
      passwordHash: u.password,
      disabled: u.isDisabled,
      lastLoginAt: null,
      tokensValidAfter: null,
      ...(u.dateCreated ? { createdAt: u.dateCreated } : {}),
    })),
  );
  return new Map(users.map((u) => [u.id, idByName.get(u.username)]));
}

async function insertLinks(
  writer: ImportWriter,
  table: MembershipTable,
  column: 'group_id' | 'org_id',
  links: QuidLink[],
  userIds: Map<number, number | undefined>,
  targetIds: Map<number, number | undefined>,
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
  await writer.insertMemberships(table, rows);
}
