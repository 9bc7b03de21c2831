import readline from 'node:readline';
import type { Readable } from 'node:stream';
import {
  dumpRecordSchema,
  type ApplicationKeyRecord,
  type ApplicationRecord,
  type DumpRecord,
  type GroupRecord,
  type OrgRecord,
  type UserRecord,
} from '../../schemas/dump.schema';
import { insertKey, keyExists } from '../../db/application-key.repository';
import { importWriter, inImportTransaction, type ImportWriter } from '../../db/import-writer';
import { sealApplicationSecret } from '../../crypto/secret-box';
import type { Deps } from '../deps';
import { checkDump, DumpError, parseLine } from './dump-check';

export { DumpError };

interface Tally {
  created: number;
  skipped: number;
}

export interface DumpImportSummary {
  applications: Tally;
  /** Found by id: a key already here is skipped. */
  application_keys: Tally;
  orgs: Tally;
  groups: Tally;
  /** `conflicts`: a new user whose uid another user already has; left out. */
  users: Tally & { conflicts: number };
  memberships: number;
}

export interface DumpImportOptions {
  batchSize?: number;
  onProgress?: (usersRead: number) => void;
}

const date = (text: string | null) => (text === null ? null : new Date(text));

/**
 * Reads a dump twice, line by line (readline: one batch of users in memory at a time): first
 * every record is checked against the API's rules and nothing is written unless all pass
 * (checkDump), then the records are written. `open` gives the dump from its start each time. Existing rows
 * are found by their natural key (application name, org name, application + group name,
 * application + username) and skipped, so a re-run, or a run after a cut, is safe.
 */
export async function importDump(
  deps: Pick<Deps, 'db' | 'models' | 'caches' | 'config'>,
  open: () => Readable,
  options: DumpImportOptions = {},
) {
  await checkDump(open());
  const importer = new DumpImporter(deps, options);
  const lines = readline.createInterface({ input: open(), crlfDelay: Infinity });
  let lineNumber = 0;
  let complete = false;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    const value = parseLine(line, lineNumber);
    if (lineNumber === 1) continue; // the header, checked by checkDump
    complete = await importer.add(dumpRecordSchema.parse(value));
  }
  await importer.flushUsers();
  if (!complete) {
    throw new DumpError(
      'The dump ends before its end line (cut short?). What it held was imported; re-running is safe.',
    );
  }
  return importer.summary;
}

class DumpImporter {
  readonly summary: DumpImportSummary = {
    applications: { created: 0, skipped: 0 },
    application_keys: { created: 0, skipped: 0 },
    orgs: { created: 0, skipped: 0 },
    groups: { created: 0, skipped: 0 },
    users: { created: 0, skipped: 0, conflicts: 0 },
    memberships: 0,
  };
  private readonly appIds = new Map<string, number>();
  private readonly groupIds = new Map<number, Map<string, number>>();
  private orgIds?: Map<string, number>;
  private pending: UserRecord[] = [];
  private usersRead = 0;

  constructor(
    private readonly store: Pick<Deps, 'db' | 'models' | 'caches' | 'config'>,
    private readonly options: DumpImportOptions,
  ) {}

  /** Reads and writes outside the users' transactions. */
  private get writer(): ImportWriter {
    return importWriter(this.store);
  }

  /** Takes one record; true when it was the end line. */
  async add(record: DumpRecord): Promise<boolean> {
    if (record.type === 'user') {
      this.pending.push(record);
      if (this.pending.length >= (this.options.batchSize ?? 500)) await this.flushUsers();
      return false;
    }
    await this.flushUsers();
    if (record.type === 'application') await this.addApplication(record);
    else if (record.type === 'application_key') await this.addKey(record);
    else if (record.type === 'org') await this.addOrg(record);
    else if (record.type === 'group') await this.addGroup(record);
    return record.type === 'end';
  }

  private async addApplication(record: ApplicationRecord) {
    const existing = await this.writer.applicationId(record.name);
    if (existing !== undefined) {
      this.summary.applications.skipped += 1;
      this.appIds.set(record.name, existing);
      return;
    }
    // The dump carries them in clear: sealed here with this server's SECRET_KEY.
    const seal = (plain: string) => sealApplicationSecret(plain, this.store.config.secretKey);
    await this.writer.insertApplication({
      name: record.name,
      secret: seal(record.secret),
      secretVersion: record.secret_version,
      previousSecret: record.previous_secret === null ? null : seal(record.previous_secret),
      previousSecretExpiresAt: date(record.previous_secret_expires_at),
      refreshSecret: seal(record.refresh_secret),
      accessTtl: record.access_ttl,
      accessTtlMax: record.access_ttl_max,
      refreshTtlMax: record.refresh_ttl_max,
      corsOrigins: record.cors_origins,
      audience: record.audience,
      mfa: record.mfa,
      signup: record.signup,
      recovery: record.recovery,
      publicUrl: record.public_url,
      mailTemplates: record.mail_templates ?? null,
      createdAt: new Date(record.created_at),
      updatedAt: new Date(record.updated_at),
    });
    this.store.caches.applications.forget(record.name);
    this.summary.applications.created += 1;
    await this.appId(record.name);
  }

  private async addKey(record: ApplicationKeyRecord) {
    if (await keyExists(this.store.db, record.id)) {
      this.summary.application_keys.skipped += 1;
      return;
    }
    await insertKey(this.store.db, {
      id: record.id,
      applicationId: await this.appId(record.app),
      hash: record.key_hash,
      label: record.label,
      scopes: record.scopes,
      createdAt: new Date(record.created_at),
    });
    this.summary.application_keys.created += 1;
  }

  private async addOrg(record: OrgRecord) {
    const orgIds = await this.orgs();
    if (orgIds.has(record.name)) {
      this.summary.orgs.skipped += 1;
      return;
    }
    await this.writer.insertOrgs([{ name: record.name, createdAt: new Date(record.created_at) }]);
    orgIds.set(record.name, (await this.writer.orgIds([record.name])).get(record.name) as number);
    this.summary.orgs.created += 1;
  }

  private async addGroup(record: GroupRecord) {
    const applicationId = await this.appId(record.app);
    const groups = await this.groups(applicationId);
    if (groups.has(record.name)) {
      this.summary.groups.skipped += 1;
      return;
    }
    await this.writer.insertGroups(applicationId, [{ name: record.name, createdAt: new Date(record.created_at) }]);
    const created = await this.writer.groupIds(applicationId, record.name);
    groups.set(record.name, created.get(record.name) as number);
    this.summary.groups.created += 1;
  }

  /** Writes the pending users, one transaction per application in the batch. */
  async flushUsers(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const byApp = new Map<string, UserRecord[]>();
    for (const user of batch) {
      const list = byApp.get(user.app);
      if (list) list.push(user);
      else byApp.set(user.app, [user]);
    }
    for (const [app, users] of byApp) {
      const applicationId = await this.appId(app);
      const groups = await this.groups(applicationId);
      const orgs = await this.orgs();
      await inImportTransaction(this.store, (writer) => this.insertUsers(writer, applicationId, users, groups, orgs));
    }
    this.usersRead += batch.length;
    this.options.onProgress?.(this.usersRead);
  }

  private async insertUsers(
    writer: ImportWriter,
    applicationId: number,
    users: UserRecord[],
    groups: Map<string, number>,
    orgs: Map<string, number>,
  ) {
    // One query finds both kinds of clash: the same username in this application (the user is
    // already here: skipped) and the same uid anywhere (another user: a conflict, left out).
    const clashes = await writer.clashingUsers(
      applicationId,
      users.map((u) => u.username),
      users.map((u) => u.uid),
    );
    const existingNames = new Set(clashes.filter((u) => u.applicationId === applicationId).map((u) => u.username));
    const takenUids = new Set(clashes.map((u) => u.uid));
    const candidates = users.filter((u) => !existingNames.has(u.username));
    const emailTaken = await writer.takenEmails(
      applicationId,
      candidates.flatMap((u) => (u.email ? [u.email.toLowerCase()] : [])),
    );
    // Another user of the application has the address: a conflict too (addresses are unique per application).
    const fresh = candidates.filter(
      (u) => !takenUids.has(u.uid) && !(u.email && emailTaken.has(u.email.toLowerCase())),
    );
    this.summary.users.skipped += users.length - candidates.length;
    this.summary.users.conflicts += candidates.length - fresh.length;
    if (fresh.length === 0) return;
    const idByName = await writer.insertUsers(
      applicationId,
      fresh.map((u) => ({
        uid: u.uid,
        username: u.username,
        passwordHash: u.password_hash,
        role: u.role,
        disabled: u.disabled,
        email: u.email ?? null,
        lastLoginAt: date(u.last_login_at),
        tokensValidAfter: date(u.tokens_valid_after),
        createdAt: new Date(u.created_at),
        updatedAt: new Date(u.updated_at),
      })),
    );
    this.summary.users.created += fresh.length;
    const links = (names: string[], known: Map<string, number>, username: string, column: string) =>
      names.flatMap((name) => {
        const target = known.get(name);
        if (target === undefined) throw new DumpError(`user "${username}" belongs to "${name}", which the dump lacks`);
        return [{ user_id: idByName.get(username) as number, [column]: target }];
      });
    const userGroups = fresh.flatMap((u) => links([...new Set(u.groups)], groups, u.username, 'group_id'));
    const userOrgs = fresh.flatMap((u) => links([...new Set(u.orgs)], orgs, u.username, 'org_id'));
    if (userGroups.length > 0) await writer.insertMemberships('user_groups', userGroups);
    if (userOrgs.length > 0) await writer.insertMemberships('user_orgs', userOrgs);
    this.summary.memberships += userGroups.length + userOrgs.length;
    for (const u of fresh) {
      const factor = u.second_factor;
      if (!factor) continue;
      const dumped = {
        secret: factor.secret,
        confirmedAt: new Date(factor.confirmed_at).getTime(),
        lastStep: factor.last_step,
        recoveryCodeHashes: factor.recovery_code_hashes,
      };
      await writer.insertFactor(idByName.get(u.username) as number, dumped, new Date());
    }
  }

  private async appId(name: string): Promise<number> {
    let id = this.appIds.get(name);
    if (id === undefined) {
      id = await this.writer.applicationId(name);
      if (id === undefined) throw new DumpError(`application "${name}" is neither in the dump nor in the database`);
      this.appIds.set(name, id);
    }
    return id;
  }

  private async groups(applicationId: number): Promise<Map<string, number>> {
    let groups = this.groupIds.get(applicationId);
    if (!groups) {
      groups = await this.writer.groupIds(applicationId);
      this.groupIds.set(applicationId, groups);
    }
    return groups;
  }

  private async orgs(): Promise<Map<string, number>> {
    if (!this.orgIds) {
      this.orgIds = await this.writer.orgIds();
    }
    return this.orgIds;
  }
}
