import { formatDuration } from '../config/duration';
import { randomSecret } from '../crypto/random';
import { openApplicationSecret, sealApplicationSecret } from '../crypto/secret-box';
import { AppError, assertThat } from '../errors';
import type { Application } from '../db/models';
import { deleteUsersOfApplication } from '../db/batch-delete.repository';
import { inTransaction } from '../db/transaction';
import { uniquely } from '../db/unique';
import type { CreateApplicationInput, RotateSecretInput, UpdateApplicationInput } from '../schemas/application.schema';
import type { ApplicationResponse } from '../schemas/responses.schema';
import type { Deps } from './deps';
import { mailTemplatesOf } from './mail-templates';

/** Quid's defaults: login tokens live 15m, access tokens at most 20m, refresh tokens at most 24h. */
export const APPLICATION_DEFAULTS = { accessTtl: 15 * 60, accessTtlMax: 20 * 60, refreshTtlMax: 24 * 3600 };

/** With `secretKey`, the answer carries the plain secret, opened with it (create, rotate, include_secret). */
export function serializeApplication(app: Application, options: { secretKey?: string } = {}): ApplicationResponse {
  return {
    name: app.name,
    access_ttl: formatDuration(app.accessTtl),
    access_ttl_max: formatDuration(app.accessTtlMax),
    refresh_ttl_max: formatDuration(app.refreshTtlMax),
    cors_origins: JSON.parse(app.corsOrigins) as string[],
    audience: app.audience,
    mfa: app.mfa,
    signup: app.signup,
    recovery: app.recovery,
    public_url: app.publicUrl,
    mail_templates: mailTemplatesOf(app),
    secret_version: app.secretVersion,
    created_at: app.createdAt.toISOString(),
    updated_at: app.updatedAt.toISOString(),
    ...(options.secretKey ? { secret: openedSecret(app, 'secret', options.secretKey) } : {}),
  };
}

/** The `kid` header of tokens signed with an application's current secret. */
export function keyId(app: Pick<Application, 'secretVersion'>): string {
  return `v${app.secretVersion}`;
}

// Opened secrets by SECRET_KEY, then by the stored (sealed) value: the token hot path opens each
// once (AES-GCM) and then finds it in a map, and the plain text, the same string each time,
// keeps its KeyObject in jwt.ts's cache. Keyed by the sealed value rather than the application's
// id and secret_version, which two databases open in one process (an export into another, the
// tests) share; each seal has a fresh nonce. Bounded, as jwt.ts's, so that rotated ones fall out.
const openedByKey = new Map<string, Map<string, string>>();
const OPENED_LIMIT = 10_000;

/** What the stored application secrets are, by the model's attribute. */
type SecretColumn = 'secret' | 'previousSecret' | 'refreshSecret';

/**
 * One of the application's secrets, opened (cached); a 500 saying why when SECRET_KEY is not
 * the one it was sealed with (replaced: see docs/operations.md, Rotating keys and secrets).
 */
export function openedSecret(app: Application, column: SecretColumn, secretKey: string): string {
  const stored = app[column];
  if (stored === null) throw new Error(`application ${app.name} has no ${column}`);
  let opened = openedByKey.get(secretKey);
  if (!opened) {
    opened = new Map();
    openedByKey.set(secretKey, opened);
  }
  let plain = opened.get(stored);
  if (plain === undefined) {
    try {
      plain = openApplicationSecret(stored, secretKey);
    } catch (error) {
      throw new AppError(
        'internal_error',
        `The secrets of application "${app.name}" do not open with this server's SECRET_KEY: they were sealed with another one.`,
        undefined,
        { cause: error },
      );
    }
    if (opened.size >= OPENED_LIMIT) opened.delete(opened.keys().next().value as string);
    opened.set(stored, plain);
  }
  return plain;
}

/**
 * Tells the log, at start, which applications' secrets do not open with this SECRET_KEY (it was
 * replaced), as a second factor sealed with another one is told at its next code: their token
 * requests answer 500 saying so, the other applications work. Opening them also fills the cache
 * before the first login. A database that does not answer yet is checked by no one: served anyway.
 */
export async function reportUnopenedSecrets(deps: Pick<Deps, 'models' | 'config' | 'logger'>): Promise<void> {
  let apps: Application[];
  try {
    apps = await deps.models.Application.findAll({ attributes: ['name', 'secret', 'previousSecret', 'refreshSecret'] });
  } catch {
    return;
  }
  const columns = ['secret', 'previousSecret', 'refreshSecret'] as const;
  const unopened = apps.filter((app) => {
    try {
      for (const column of columns) if (app[column] !== null) openedSecret(app, column, deps.config.secretKey);
      return false;
    } catch {
      return true;
    }
  });
  if (unopened.length === 0) return;
  const names = unopened.map((app) => app.name);
  deps.logger.error(
    { applications: names },
    `application secrets sealed with another SECRET_KEY: ${names.join(', ')} cannot issue tokens until started with that SECRET_KEY (docs/operations.md, Rotating keys and secrets)`,
  );
}

/**
 * The secrets a token of this application may be verified with on jawth's own endpoints: the
 * current one and, during a rotation's grace period, the previous one.
 */
export function verificationSecrets(app: Application, now: Date, secretKey: string): string[] {
  const current = openedSecret(app, 'secret', secretKey);
  const graceOpen = app.previousSecret && app.previousSecretExpiresAt && app.previousSecretExpiresAt > now;
  return graceOpen ? [current, openedSecret(app, 'previousSecret', secretKey)] : [current];
}

export async function findApplication(name: string, deps: Pick<Deps, 'models'>): Promise<Application> {
  const app = await deps.models.Application.findOne({ where: { name } });
  assertThat(app, 'application_not_found', `No application is named "${name}".`);
  return app;
}

export async function listApplications(limit: number, offset: number, deps: Pick<Deps, 'models'>) {
  return deps.models.Application.findAndCountAll({ order: [['name', 'ASC']], limit, offset });
}

function assertLifetimes(app: Pick<Application, 'accessTtl' | 'accessTtlMax'>): void {
  if (app.accessTtl > app.accessTtlMax) {
    const [ttl, max] = [formatDuration(app.accessTtl), formatDuration(app.accessTtlMax)];
    throw new AppError('validation_failed', `access_ttl (${ttl}) may not exceed access_ttl_max (${max}).`, [
      { field: 'access_ttl', message: `must not be longer than access_ttl_max (${max})` },
    ]);
  }
}

/**
 * With SMTP_URL set, jawth mails the links itself: a confirmation or a recovery needs the page
 * they lead to. (Without SMTP the application gets the token in a webhook event and makes its own.)
 */
function assertMailable(app: Application, config: Deps['config']): void {
  if (!config.smtpUrl || app.publicUrl) return;
  const needs = app.signup === 'confirm' ? 'signup "confirm"' : app.recovery === 'on' ? 'recovery "on"' : undefined;
  if (!needs) return;
  throw new AppError('validation_failed', `With ${needs}, public_url names the page the mails link to.`, [
    { field: 'public_url', message: `is required with ${needs} (jawth mails the link)` },
  ]);
}

/** Stored templates: the ones given over the ones already set. */
function mergeTemplates(app: Application, given: UpdateApplicationInput['mail_templates']): string | null {
  if (!given) return app.mailTemplates ?? null;
  const stored = app.mailTemplates ? (JSON.parse(app.mailTemplates) as object) : {};
  return JSON.stringify({ ...stored, ...given });
}

async function saveUnique(app: Application, deps: Pick<Deps, 'caches'>): Promise<Application> {
  const formerName = (app.previous('name') as string | undefined) ?? app.name;
  await uniquely(() => app.save(), 'application_name_taken', `An application named "${app.name}" already exists.`);
  deps.caches.applications.forget(app.name, formerName);
  return app;
}

export async function createApplication(
  input: CreateApplicationInput,
  deps: Pick<Deps, 'models' | 'caches' | 'config'>,
): Promise<Application> {
  const { secretKey } = deps.config;
  const app = deps.models.Application.build({
    name: input.name,
    secret: sealApplicationSecret(input.secret ?? randomSecret(), secretKey),
    previousSecret: null,
    previousSecretExpiresAt: null,
    refreshSecret: sealApplicationSecret(randomSecret(), secretKey),
    accessTtl: input.access_ttl ?? APPLICATION_DEFAULTS.accessTtl,
    accessTtlMax: input.access_ttl_max ?? APPLICATION_DEFAULTS.accessTtlMax,
    refreshTtlMax: input.refresh_ttl_max ?? APPLICATION_DEFAULTS.refreshTtlMax,
    corsOrigins: JSON.stringify(input.cors_origins ?? []),
    audience: input.audience ?? null,
    mfa: input.mfa ?? 'off',
    signup: input.signup ?? 'off',
    recovery: input.recovery ?? 'off',
    publicUrl: input.public_url ?? null,
    mailTemplates: input.mail_templates ? JSON.stringify(input.mail_templates) : null,
  });
  assertLifetimes(app);
  assertMailable(app, deps.config);
  return saveUnique(app, deps);
}

export async function updateApplication(
  name: string,
  input: UpdateApplicationInput,
  deps: Pick<Deps, 'models' | 'caches' | 'clock' | 'config'>,
) {
  const app = await findApplication(name, deps);
  if (input.secret !== undefined && input.secret !== openedSecret(app, 'secret', deps.config.secretKey)) {
    rotate(app, sealApplicationSecret(input.secret, deps.config.secretKey), 0, deps.clock.now());
  }
  if (input.name !== undefined) app.name = input.name;
  if (input.access_ttl !== undefined) app.accessTtl = input.access_ttl;
  if (input.access_ttl_max !== undefined) app.accessTtlMax = input.access_ttl_max;
  if (input.refresh_ttl_max !== undefined) app.refreshTtlMax = input.refresh_ttl_max;
  if (input.cors_origins !== undefined) app.corsOrigins = JSON.stringify(input.cors_origins);
  if (input.audience !== undefined) app.audience = input.audience;
  if (input.mfa !== undefined) app.mfa = input.mfa;
  if (input.signup !== undefined) app.signup = input.signup;
  if (input.recovery !== undefined) app.recovery = input.recovery;
  if (input.public_url !== undefined) app.publicUrl = input.public_url;
  app.mailTemplates = mergeTemplates(app, input.mail_templates);
  assertLifetimes(app);
  assertMailable(app, deps.config);
  return saveUnique(app, deps);
}

export async function rotateSecret(
  name: string,
  input: RotateSecretInput,
  deps: Pick<Deps, 'models' | 'caches' | 'clock' | 'config'>,
) {
  const app = await findApplication(name, deps);
  rotate(
    app,
    sealApplicationSecret(input.secret ?? randomSecret(), deps.config.secretKey),
    input.grace ?? 0,
    deps.clock.now(),
  );
  return saveUnique(app, deps);
}

/** `sealed` is the new secret as stored; the current one moves to previous_secret still sealed. */
function rotate(app: Application, sealed: string, graceSeconds: number, now: Date): void {
  app.previousSecret = graceSeconds > 0 ? app.secret : null;
  app.previousSecretExpiresAt = graceSeconds > 0 ? new Date(now.getTime() + graceSeconds * 1000) : null;
  app.secret = sealed;
  app.secretVersion += 1;
}

/**
 * Users, groups, memberships and sessions go with it (ON DELETE CASCADE). In a transaction of its
 * own, so that on SQLite it never lands inside a concurrent user creation's (see inTransaction).
 */
export async function deleteApplication(name: string, deps: Pick<Deps, 'db' | 'models' | 'caches'>): Promise<void> {
  const app = await findApplication(name, deps);
  // Its users first, in batches: one cascade over all of them held the write lock too long.
  await deleteUsersOfApplication(deps.db, app.id);
  await inTransaction(deps.db, (transaction) => app.destroy({ transaction }));
  deps.caches.applications.forget(name);
  deps.caches.userCounts.forget();
}
