import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Op, QueryTypes, Transaction, type Sequelize, type WhereOptions } from 'sequelize';
import type { Application, Org, User } from '../../db/models';
import { keysForDump } from '../../db/application-key.repository';
import { factorsOfUsers, type DumpedFactor } from '../../db/second-factor-dump.repository';
import type { Deps } from '../deps';
import { openedSecret } from '../application.service';
import { AppError } from '../../errors';
import {
  DUMP_FORMAT,
  DUMP_VERSION,
  type ApplicationRecord,
  type DumpCounts,
  type DumpHeader,
  type UserRecord,
} from '../../schemas/dump.schema';

export interface ExportOptions {
  /** Only this application (its groups, users and the orgs they belong to). */
  app?: string;
  batchSize?: number;
  onProgress?: (users: number, totalUsers: number) => void;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/**
 * Writes jawth's data as JSON lines, never sessions. Users are read in batches by keyset
 * pagination on id, so memory stays flat however many there are; writes wait for the stream.
 * Application secrets are opened (with SECRET_KEY) and written in clear, as the header says, so
 * that the dump moves to a server with another SECRET_KEY, whose import seals them with its own.
 */
export function exportDump(
  deps: Pick<Deps, 'db' | 'models' | 'config'>,
  out: Writable,
  options: ExportOptions = {},
): Promise<DumpCounts> {
  // One snapshot: a user written during the export cannot name a group the dump does not hold.
  const isolationLevel = Transaction.ISOLATION_LEVELS.REPEATABLE_READ;
  return deps.db.transaction({ isolationLevel }, (transaction) => writeDump(deps, transaction, out, options));
}

async function writeDump(
  store: Pick<Deps, 'db' | 'models' | 'config'>,
  transaction: Transaction,
  out: Writable,
  options: ExportOptions,
) {
  const { Application, Group, User } = store.models;
  const batchSize = options.batchSize ?? 1000;
  const apps = await Application.findAll({
    where: options.app ? { name: options.app } : {},
    order: [['id', 'ASC']],
    transaction,
  });
  if (options.app && apps.length === 0)
    throw new AppError('application_not_found', `No application is named "${options.app}".`);
  const appNames = new Map(apps.map((a) => [a.id, a.name]));
  const appFilter: WhereOptions = options.app ? { applicationId: apps[0].id } : {};
  const counts: DumpCounts = { applications: apps.length, orgs: 0, groups: 0, users: 0, application_keys: 0 };
  const write = async (lines: object[]) => {
    if (lines.length === 0) return;
    if (!out.write(lines.map((line) => `${JSON.stringify(line)}\n`).join(''))) await once(out, 'drain');
  };

  const header: DumpHeader = {
    format: DUMP_FORMAT,
    version: DUMP_VERSION,
    exported_at: new Date().toISOString(),
    app: options.app ?? null,
    application_secrets: 'in clear',
  };
  await write([header]);
  await write(apps.map((app) => applicationRecord(app, store.config.secretKey)));
  const keys = await keysForDump(
    store.db,
    apps.map((a) => a.id),
    transaction,
  );
  counts.application_keys = keys.length;
  await write(
    keys.map((k) => ({
      type: 'application_key',
      app: appNames.get(k.applicationId),
      id: k.id,
      key_hash: k.hash,
      label: k.label,
      scopes: k.scopes,
      created_at: k.createdAt.toISOString(),
    })),
  );

  for await (const orgs of pages((after) =>
    orgPage(store, transaction, after, batchSize, options.app ? apps[0].id : undefined),
  )) {
    counts.orgs += orgs.length;
    await write(orgs.map((o) => ({ type: 'org', name: o.name, created_at: o.createdAt.toISOString() })));
  }
  const groupPage = (after: number) =>
    Group.findAll({
      where: { ...appFilter, id: { [Op.gt]: after } },
      order: [['id', 'ASC']],
      limit: batchSize,
      transaction,
    });
  for await (const groups of pages(groupPage)) {
    counts.groups += groups.length;
    await write(
      groups.map((g) => ({
        type: 'group',
        app: appNames.get(g.applicationId),
        name: g.name,
        created_at: g.createdAt.toISOString(),
      })),
    );
  }

  const totalUsers = await User.count({ where: appFilter, transaction });
  const userPage = (after: number) =>
    User.findAll({
      where: { ...appFilter, id: { [Op.gt]: after } },
      order: [['id', 'ASC']],
      limit: batchSize,
      transaction,
    });
  for await (const users of pages(userPage)) {
    const memberships = await membershipsOf(
      store.db,
      transaction,
      users.map((u) => u.id),
    );
    const factors = await factorsOfUsers(
      store.db,
      users.map((u) => u.id),
      transaction,
    );
    await write(users.map((u) => userRecord(u, appNames.get(u.applicationId) as string, memberships, factors)));
    counts.users += users.length;
    options.onProgress?.(counts.users, totalUsers);
  }
  await write([{ type: 'end', counts }]);
  return counts;
}

/** Pages of rows with increasing ids, each page starting after the last id of the one before. */
async function* pages<T extends { id: number }>(fetch: (afterId: number) => Promise<T[]>): AsyncGenerator<T[]> {
  let after = 0;
  for (;;) {
    const rows = await fetch(after);
    if (rows.length === 0) return;
    yield rows;
    after = rows[rows.length - 1].id;
  }
}

/** All orgs, or with an application filter only those some of its users belong to. */
function orgPage(
  { db, models }: Pick<Deps, 'db' | 'models'>,
  transaction: Transaction,
  after: number,
  limit: number,
  applicationId?: number,
): Promise<Org[]> {
  if (applicationId === undefined) {
    return models.Org.findAll({ where: { id: { [Op.gt]: after } }, order: [['id', 'ASC']], limit, transaction });
  }
  return models.Org.findAll({
    where: {
      id: {
        [Op.gt]: after,
        [Op.in]: db.literal(
          `(SELECT uo.org_id FROM user_orgs uo JOIN users u ON u.id = uo.user_id WHERE u.application_id = ${Number(applicationId)})`,
        ),
      },
    },
    order: [['id', 'ASC']],
    limit,
    transaction,
  });
}

type Memberships = Map<number, { groups: string[]; orgs: string[] }>;

async function membershipsOf(db: Sequelize, transaction: Transaction, userIds: number[]): Promise<Memberships> {
  const result: Memberships = new Map(userIds.map((id) => [id, { groups: [], orgs: [] }]));
  if (userIds.length === 0) return result;
  const query = (sql: string) =>
    db.query<{ user_id: number; name: string }>(sql, {
      replacements: { ids: userIds },
      type: QueryTypes.SELECT,
      transaction,
    });
  const groups = await query(
    'SELECT ug.user_id, g.name FROM user_groups ug JOIN "groups" g ON g.id = ug.group_id WHERE ug.user_id IN (:ids)',
  );
  const orgs = await query(
    'SELECT uo.user_id, o.name FROM user_orgs uo JOIN orgs o ON o.id = uo.org_id WHERE uo.user_id IN (:ids)',
  );
  for (const row of groups) result.get(Number(row.user_id))?.groups.push(row.name);
  for (const row of orgs) result.get(Number(row.user_id))?.orgs.push(row.name);
  return result;
}

function applicationRecord(app: Application, secretKey: string): ApplicationRecord {
  return {
    type: 'application',
    name: app.name,
    secret: openedSecret(app, 'secret', secretKey),
    secret_version: app.secretVersion,
    previous_secret: app.previousSecret === null ? null : openedSecret(app, 'previousSecret', secretKey),
    previous_secret_expires_at: iso(app.previousSecretExpiresAt),
    refresh_secret: openedSecret(app, 'refreshSecret', secretKey),
    access_ttl: app.accessTtl,
    access_ttl_max: app.accessTtlMax,
    refresh_ttl_max: app.refreshTtlMax,
    cors_origins: JSON.parse(app.corsOrigins) as string[],
    audience: app.audience,
    mfa: app.mfa,
    signup: app.signup,
    recovery: app.recovery,
    public_url: app.publicUrl,
    mail_templates: app.mailTemplates ? (JSON.parse(app.mailTemplates) as ApplicationRecord['mail_templates']) : null,
    created_at: app.createdAt.toISOString(),
    updated_at: app.updatedAt.toISOString(),
  };
}

function userRecord(user: User, app: string, memberships: Memberships, factors: Map<number, DumpedFactor>): UserRecord {
  const member = memberships.get(user.id) ?? { groups: [], orgs: [] };
  const factor = factors.get(user.id);
  return {
    type: 'user',
    app,
    uid: user.uid,
    username: user.username,
    password_hash: user.passwordHash,
    role: user.role,
    disabled: user.disabled,
    email: user.email ?? null,
    last_login_at: iso(user.lastLoginAt),
    tokens_valid_after: iso(user.tokensValidAfter),
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
    groups: member.groups.sort(),
    orgs: member.orgs.sort(),
    ...(factor
      ? {
          second_factor: {
            secret: factor.secret,
            confirmed_at: new Date(factor.confirmedAt).toISOString(),
            last_step: factor.lastStep,
            recovery_code_hashes: factor.recoveryCodeHashes,
          },
        }
      : {}),
  };
}
