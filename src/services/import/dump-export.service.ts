import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Application } from '../../db/application.repository';
import {
  inDumpSnapshot,
  type DumpedFactor,
  type DumpedUser,
  type DumpSnapshot,
  type Memberships,
} from '../../db/dump.repository';
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
  return inDumpSnapshot(deps, (snapshot) => writeDump(snapshot, deps.config.secretKey, out, options));
}

async function writeDump(snapshot: DumpSnapshot, secretKey: string, out: Writable, options: ExportOptions) {
  const batchSize = options.batchSize ?? 1000;
  const apps = await snapshot.applications(options.app);
  if (options.app && apps.length === 0)
    throw new AppError('application_not_found', `No application is named "${options.app}".`);
  const appNames = new Map(apps.map((a) => [a.id, a.name]));
  const onlyApp = options.app ? apps[0].id : undefined;
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
  await write(apps.map((app) => applicationRecord(app, secretKey)));
  const keys = await snapshot.keys(apps.map((a) => a.id));
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

  for await (const orgs of pages((after) => snapshot.orgPage(after, batchSize, onlyApp))) {
    counts.orgs += orgs.length;
    await write(orgs.map((o) => ({ type: 'org', name: o.name, created_at: o.createdAt.toISOString() })));
  }
  for await (const groups of pages((after) => snapshot.groupPage(after, batchSize, onlyApp))) {
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

  const totalUsers = await snapshot.userCount(onlyApp);
  for await (const users of pages((after) => snapshot.userPage(after, batchSize, onlyApp))) {
    const ids = users.map((u) => u.id);
    const memberships = await snapshot.memberships(ids);
    const factors = await snapshot.factors(ids);
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
    cors_origins: app.corsOrigins,
    audience: app.audience,
    mfa: app.mfa,
    signup: app.signup,
    recovery: app.recovery,
    public_url: app.publicUrl,
    mail_templates: app.mailTemplates as ApplicationRecord['mail_templates'],
    created_at: app.createdAt.toISOString(),
    updated_at: app.updatedAt.toISOString(),
  };
}

function userRecord(
  user: DumpedUser,
  app: string,
  memberships: Memberships,
  factors: Map<number, DumpedFactor>,
): UserRecord {
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
    email: user.email,
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
